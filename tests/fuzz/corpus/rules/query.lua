check{id="q", check=function(ctx) return pass("%d", #ctx:people{within="root", role={"surgeon"}}) end}
