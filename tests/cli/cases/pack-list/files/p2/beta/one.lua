check { id = "b1", title = "One", check = function(ctx) return pass("ok") end }
