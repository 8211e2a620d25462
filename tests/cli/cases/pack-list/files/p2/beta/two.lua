check { id = "b2", title = "Two", check = function(ctx) return pass("ok") end }
check { id = "b3", title = "Three", check = function(ctx) return pass("ok") end }
