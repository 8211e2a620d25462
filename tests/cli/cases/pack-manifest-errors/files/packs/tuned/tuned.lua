check { id = "c", title = "C", check = function(ctx) return warn("active_days=%s", tostring(ctx.params.active_days)) end }
