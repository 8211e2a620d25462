-- every key of a table, sorted, as "k=v, ..."
local function keys(t)
  local out = {}
  for k, v in pairs(t) do out[#out + 1] = tostring(k) .. "=" .. tostring(v) end
  return table.concat(out, ", ")
end

-- what the program's own rules see of params while they load
local at_load = type(params) == "table" and "{" .. keys(params) .. "}"
                or tostring(params)

check {
  id = "own-rule",
  title = "The program's own rule looks at ctx.params",
  check = function(ctx)
    return warn("ctx.params.secret=%s; ctx.params holds {%s}; params at load: %s",
                tostring(ctx.params.secret), keys(ctx.params), at_load)
  end,
}
