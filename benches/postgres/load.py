"""Rrjeti's NDJSON as CSV rows for the `record` table of schema.sql (stdin to stdout)."""
import csv
import json
import sys

def array(values):
    return "{" + ",".join('"' + v.replace('\\', '\\\\').replace('"', '\\"') + '"' for v in values) + "}"

out = csv.writer(sys.stdout)
for line in sys.stdin:
    record = json.loads(line)
    if record.get("type") not in ("organisation", "network"):
        continue
    address = record.get("address") or {}
    location = record.get("location")
    description = record.get("description") or {}
    out.writerow([
        record["type"], record["id"], record["name"], record.get("acronym") or "",
        " ".join(v for v in (description.get("sq"), description.get("en")) if v),
        array(record.get("expertise", [])), array(record.get("thematic_areas", [])),
        array(record.get("target_groups", [])), record.get("scope") or "",
        record.get("legal_form") or "", address.get("county") or "",
        address.get("municipality") or "",
        f"SRID=4326;POINT({location['lon']} {location['lat']})" if location else "",
        json.dumps(record, ensure_ascii=False),
    ])
