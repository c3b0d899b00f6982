-- GET a path for a random household id from the file named by IDS (one id per line),
-- with the path's {id} replaced: wrk -s ids.lua URL, PATH_TEMPLATE=/api/v1/households/{id}
local ids = {}
for line in io.lines(os.getenv("IDS")) do
  if #line > 0 then ids[#ids + 1] = line end
end
local template = os.getenv("PATH_TEMPLATE") or "/api/v1/households/{id}"
math.randomseed(os.time())

request = function()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", (template:gsub("{id}", id)))
end
