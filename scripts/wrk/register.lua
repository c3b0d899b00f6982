-- POST a registration of a new household of two each time (no BSN: nothing to look up twice).
local counter = 0
local streets = { "Dorpsstraat", "Kerkstraat", "Molenweg", "Beukenlaan" }
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  counter = counter + 1
  local body = string.format([[{
    "household": {
      "address": {"street": "%s", "house_number": "%d", "postcode": "7121 AB", "city": "Aalten"},
      "members": [
        {"given_name": "Bench", "family_name": "Tester%d", "birth_date": "1980-05-01", "relation": "parent"},
        {"given_name": "Kind", "family_name": "Tester%d", "birth_date": "2015-03-31", "relation": "child"}
      ]
    },
    "route": "self",
    "question": "Benchmark: een vraag over geld.",
    "urgency": "normal"
  }]], streets[counter % #streets + 1], counter % 300 + 1, counter, counter)
  return wrk.format(nil, nil, nil, body)
end
