-- rules have no io
local f = io.open("/etc/passwd")
