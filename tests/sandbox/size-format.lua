-- string.format of three 6 MB strings: past the memory cap.
-- expect: error
-- message: rules/hostile.lua:4: memory limit exceeded (16 MiB)
gate { id = "hostile", at = "pilot->scale", check = function(ctx)
  local big = ("x"):rep(6 << 20)
  local s = string.format("%s%s%s", big, big, big)
  return pass("%d", #s)
end }
