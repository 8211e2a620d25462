check { id = "c", title = "C", check = function(ctx) return pass("ok") end }
