check { id = "alpha-check", title = "A check", check = function(ctx) return pass("ok") end }
