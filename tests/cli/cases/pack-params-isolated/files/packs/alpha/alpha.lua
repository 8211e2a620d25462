-- The parameters are read-only while the file loads, too.
local ok, why = pcall(function() params.secret = "changed at load" end)
local load_write = ok and "allowed" or why

check {
  id = "reads-own",
  title = "Alpha reads its own parameters",
  check = function(ctx)
    return warn("secret=%s level=%s roles=%s; writing params at load: %s",
                tostring(ctx.params.secret), tostring(ctx.params.level),
                table.concat(ctx.params.roles, "+"), load_write)
  end,
}

check {
  id = "writes-list",
  title = "Alpha tries to change a list parameter",
  check = function(ctx)
    ctx.params.roles[1] = "anyone"
    return pass("wrote ctx.params.roles[1]")
  end,
}

check {
  id = "writes-params",
  title = "Alpha tries to change its parameters",
  check = function(ctx)
    ctx.params.secret = "leaked"
    return pass("wrote ctx.params.secret")
  end,
}
