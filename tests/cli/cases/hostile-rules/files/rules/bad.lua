gate {
  id = "loops",
  at = "pilot->scale",
  check = function(ctx)
    while true do end
  end,
}

gate {
  id = "hoards",
  at = "pilot->scale",
  check = function(ctx)
    local t = {}
    for i = 1, math.maxinteger do t[i] = string.rep("x", 65536) .. i end
  end,
}

gate {
  id = "raises",
  at = "pilot->scale",
  check = function(ctx)
    error("the data is not what I expected")
  end,
}

check {
  id = "silent",
  check = function(ctx) end,
}
