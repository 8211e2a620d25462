-- every key of a table, sorted, as "k=v, ..."
local function keys(t)
  local out = {}
  for k, v in pairs(t) do out[#out + 1] = tostring(k) .. "=" .. tostring(v) end
  return table.concat(out, ", ")
end

-- what beta sees of the parameters while it loads
local at_load = "secret=" .. tostring(params.secret) .. " {" .. keys(params) .. "}"

check {
  id = "peeks",
  title = "Beta looks for alpha's secret",
  check = function(ctx)
    return warn("ctx.params.secret=%s; ctx.params holds {%s}; params at load: %s",
                tostring(ctx.params.secret), keys(ctx.params), at_load)
  end,
}
