check {
  id = "fine",
  check = function(ctx) return pass() end,
}

check {
  id = "raises",
  severity = "low",
  check = function(ctx)
    local attrs = ctx.unit.attrs
    return warn("site %s", attrs.site.name) -- there is no site
  end,
}
