-- POST a registration of a new household of two each time (no BSN: nothing to look up twice),
-- at an address spread over Winterswijk's postcodes, so that the measured professional's lists
-- and postcode searches in Aalten stay as the demo made them.
local counter = 0
local pc4 = { 7101, 7102, 7103, 7104, 7105, 7106, 7107 }
local streets = { "Dorpsstraat", "Kerkstraat", "Molenweg", "Beukenlaan" }
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = string.format([[{
    "household": {
      "address": {"street": "%s", "house_number": "%d", "postcode": "%d %s%s", "city": "Winterswijk"},
      "members": [
        {"given_name": "Bench", "family_name": "Tester%d", "birth_date": "1980-05-01", "relation": "parent"},
        {"given_name": "Kind", "family_name": "Tester%d", "birth_date": "2015-03-31", "relation": "child"}
      ]
    },
    "route": "self",
    "question": "Benchmark: een vraag over geld.",
    "urgency": "normal"
  }]], streets[counter % #streets + 1], counter % 300 + 1,
    pc4[counter % #pc4 + 1], string.char(65 + counter % 17), string.char(65 + math.floor(counter / 17) % 26),
    counter, counter)
  return wrk.format(nil, nil, nil, body)
end
