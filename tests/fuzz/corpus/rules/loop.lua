gate{id="loop", at="a->b", check=function(ctx) while true do pcall(function() while true do end end) end end}
