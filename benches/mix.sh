# The issue-7 query mix against Rrjeti over HTTP with oha; sourced by benches/load and
# benches/compare-postgres. Needs $base (the server), $oha and $seconds; call mix_setup first.

mix_setup() {
  id=$(curl -s "$base/api/v1/search?q=mjedis&type=organisation&limit=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
  local polygon='{"q":"arsim","polygon":{"type":"Polygon","coordinates":[[[19.3,41.9],[19.7,41.9],[19.7,42.2],[19.3,42.2],[19.3,41.9]]]}}'
  # name | method | path | body; the same order as benches/postgres/queries/.
  queries=(
    "one Albanian word|GET|/api/v1/search?q=mjedis|"
    "two words without diacritics|GET|/api/v1/search?q=shoqeri+civile|"
    "a misspelt word|GET|/api/v1/search?q=prokurimit+publlik|"
    "two facet filters and facet counts|GET|/api/v1/search?thematic_area=environment&county=Shkod%C3%ABr&facets=thematic_area,county,scope,legal_form|"
    "10 km around Tirana with text, by distance|GET|/api/v1/search?q=arsim&near=41.3275,19.8187&radius_km=10&sort=distance|"
    "within a county and a thematic area|GET|/api/v1/search?within=AL-10&thematic_area=youth|"
    "a polygon filter|POST|/api/v1/search|$polygon"
    "a suggestion prefix|GET|/api/v1/suggest?q=shoq|"
    "a profile by id|GET|/api/v1/organisations/$id|"
  )
}

# oha's JSON summary → "rps p50 p99 p99.9 failed" (latencies in ms).
mix_summarise() {
  python3 -c '
import json, sys
d = json.load(sys.stdin)
p = d["latencyPercentiles"]
# Requests still open when the run ends are cut off by oha ("aborted due to deadline"):
# not failures of the server. Anything else that is not a 2xx is.
bad = sum(v for k, v in d.get("statusCodeDistribution", {}).items() if not k.startswith("2"))
bad += sum(v for k, v in d.get("errorDistribution", {}).items() if "deadline" not in k)
print("%.0f %.2f %.2f %.2f %d" % (d["summary"]["requestsPerSec"], p["p50"] * 1000, p["p99"] * 1000, p["p99.9"] * 1000, bad))
'
}

# One query for $seconds: mix_run METHOD PATH BODY [oha arguments...]
mix_run() {
  local method=$1 path=$2 body=$3
  shift 3
  local args=(-z "${seconds}s" --no-tui --output-format json -m "$method" "$@")
  if [ -n "$body" ]; then args+=(-d "$body" -T application/json); fi
  "$oha" "${args[@]}" "$base$path" | mix_summarise
}

# oha, installed from crates.io into the cache when missing.
mix_oha() {
  local tools="$HOME/.cache/rrjeti/tools"
  oha="$tools/bin/oha"
  if [ ! -x "$oha" ]; then
    cargo install oha --locked --root "$tools" >&2
  fi
}
