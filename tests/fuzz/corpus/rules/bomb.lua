local t = {}
gate{id="bomb", at="a->b", check=function(ctx) for i=1,1e9 do t[i] = ("x"):rep(1000) .. i end end}
