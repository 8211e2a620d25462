gate { id = "ok", at = "pilot->scale", check = function(ctx) return pass() end }
gate { id = "ok", at = "pilot->scale", check = function(ctx) return pass() end }
gate { id = "skips", at = "pilot->sustain", check = function(ctx) return pass() end }
gate { id = "typo", at = "pilot->scal", check = function(ctx) return pass() end }
check { id = "stagey", stages = { "sustian" }, check = function(ctx) return pass() end }
gate { id = "bad id!", at = "pilot->scale", check = function(ctx) return pass() end }
