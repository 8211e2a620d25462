-- renew.lua: Acme's own gate for renewing the partnership, beside the
-- shipped partnership pack, which judges the earlier gates.  A team is
-- renewed on what it sold, not on how busy it looked.
gate {
  id = "deals-on-track",
  at = "grow->renew",
  title = "Closed deals on track for the quarterly target",
  owner = "partner_manager",
  check = function(ctx)
    return require_status(ctx, { metric = "closed_deals" })
  end,
}
