check { id = "gamma-check", title = "A check", check = function(ctx) return pass("ok") end }
