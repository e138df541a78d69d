#!/usr/bin/env python3
"""Builds tests/data/relevance.json, the search-relevance test set, from the demo data.

Each case is a query a user might type, its category, and the ids of the records a human judge
would accept as good answers. The ids are never written by hand: every case carries a rule
(a predicate over the record's content) and the rule's plain-language statement (`criterion`),
and this script applies the rule to data/demo/rrjeti-demo.ndjson.

Conventions used by the rules:
- A *theme* is a code of `thematic_areas` (see index/taxonomy.json); every code a record lists
  counts, not just the first.
- A *concept* (expertise-style query) matches when a phrase occurs, case-insensitively, in one of
  the record's `expertise` tags, in its name or in its description (sq or en); the Albanian and
  English phrasings of the same concept are both listed.
- A *place* is a municipality (`address.municipality` or any `sites[].address.municipality`);
  a county (qark) is matched the same way on `county`, and only when the query names the county.
- "organisation" in a criterion means `type == "organisation"` (networks excluded); otherwise
  networks count too.

Run from the repository root: python3 tests/data/make_relevance.py
"""

import json
import os
import sys
import unicodedata

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "data", "demo", "rrjeti-demo.ndjson")
OUT = os.path.join(ROOT, "tests", "data", "relevance.json")

with open(DATA, encoding="utf-8") as f:
    RECORDS = [json.loads(line) for line in f if line.strip()]


# ---- predicates over one record ---------------------------------------------------------------

def fold(text):
    """Lower case without diacritics, for name matching only."""
    return "".join(
        c for c in unicodedata.normalize("NFD", text.lower()) if not unicodedata.combining(c)
    )


def municipalities(r):
    names = {(r.get("address") or {}).get("municipality")}
    names.update((s.get("address") or {}).get("municipality") for s in r.get("sites") or [])
    return names - {None}


def counties(r):
    names = {(r.get("address") or {}).get("county")}
    names.update((s.get("address") or {}).get("county") for s in r.get("sites") or [])
    return names - {None}


def has_theme(r, codes):
    return any(c in r.get("thematic_areas", []) for c in codes)


def mentions(r, phrases):
    texts = list(r.get("expertise") or [])
    texts.append(r.get("name", ""))
    texts.extend(v for v in (r.get("description") or {}).values() if v)
    texts = [t.lower() for t in texts]
    return any(p.lower() in t for p in phrases for t in texts)


# ---- case builders: each returns (criterion, predicate) ---------------------------------------

def q(items):
    return " or ".join(f"'{i}'" for i in items)


def place_rule(muni=None, county=None):
    if muni:
        return (f"whose address or a site is in municipality {muni}",
                lambda r: muni in municipalities(r))
    if county:
        return (f"whose address or a site is in county (qark) {county}",
                lambda r: county in counties(r))
    return ("", lambda r: True)


def theme(codes, muni=None, county=None, orgs_only=False):
    who = "organisations" if orgs_only else "records (organisations and networks)"
    ptxt, pfn = place_rule(muni, county)
    crit = f"{who} with thematic area {q(codes)}"
    if ptxt:
        crit += f" and {ptxt}"
    return crit, lambda r: (not orgs_only or r["type"] == "organisation") and has_theme(
        r, codes) and pfn(r)


def concept(phrases, muni=None, county=None, orgs_only=False):
    who = "organisations" if orgs_only else "records"
    ptxt, pfn = place_rule(muni, county)
    crit = (f"{who} with an expertise tag, name or description containing {q(phrases)} "
            f"(case-insensitive)")
    if ptxt:
        crit += f", {ptxt}"
    return crit, lambda r: (not orgs_only or r["type"] == "organisation") and mentions(
        r, phrases) and pfn(r)


def expertise(tags, muni=None, county=None):
    ptxt, pfn = place_rule(muni, county)
    crit = f"records whose expertise includes the tag {q(tags)}"
    if ptxt:
        crit += f" and {ptxt}"
    return crit, lambda r: any(t in (r.get("expertise") or []) for t in tags) and pfn(r)


def name_parts(parts):
    crit = ("records whose name contains " + " and ".join(f"'{p}'" for p in parts)
            + " (ignoring case and diacritics)")
    return crit, lambda r: all(fold(p) in fold(r["name"]) for p in parts)


def acronym(acr):
    return (f"records whose acronym is exactly '{acr}'",
            lambda r: r.get("acronym") == acr)


# ---- the cases --------------------------------------------------------------------------------

PROCUREMENT = ["prokurim", "procurement"]
CASES = [
    # albanian (with diacritics)
    ("kafshët endacake", "albanian", theme(["animal-welfare"])),
    ("mbrojtja e konsumatorit", "albanian", theme(["consumer-protection"])),
    ("ndihmë humanitare për fatkeqësi", "albanian", theme(["emergency-relief"])),
    ("shëndet mendor Tiranë", "albanian",
     concept(["shëndet mendor", "shëndetin mendor", "mental health"], muni="Tiranë")),
    ("trashëgimia kulturore Gjirokastër", "albanian",
     theme(["culture-heritage"], muni="Gjirokastër")),
    ("të dhëna të hapura", "albanian",
     concept(["të dhëna të hapura", "të dhënat e hapura", "open data"])),
    ("menaxhim i mbetjeve Korçë", "albanian",
     concept(["mbetje", "waste management"], muni="Korçë")),
    ("riintegrimi i emigrantëve të kthyer", "albanian",
     concept(["riintegrim", "reintegration"])),
    ("të drejtat e personave LGBTI", "albanian", theme(["lgbti"])),

    # no_diacritics (Albanian typed without ë/ç)
    ("dhuna ne familje Shkoder", "no_diacritics",
     theme(["domestic-violence"], muni="Shkodër")),
    ("te drejtat e femijeve Durres", "no_diacritics", theme(["children"], muni="Durrës")),
    ("barazi gjinore Korce", "no_diacritics", theme(["gender-equality"], muni="Korçë")),
    ("mjedisi Gjirokaster", "no_diacritics", theme(["environment"], muni="Gjirokastër")),
    ("ndihme juridike falas Durres", "no_diacritics",
     concept(["ndihmë juridike", "ndihmën juridike", "legal aid"], muni="Durrës")),
    ("personat me aftesi te kufizuara Elbasan", "no_diacritics",
     theme(["disability"], muni="Elbasan")),
    ("sherbime sociale Fier", "no_diacritics", theme(["social-inclusion"], muni="Fier")),
    ("te drejtat digjitale Tirane", "no_diacritics", theme(["digital"], muni="Tiranë")),

    # inflected (another inflected form of a word that is in the data)
    ("shoqatat e grave të Shkodrës", "inflected",
     theme(["gender-equality"], muni="Shkodër")),
    ("organizatat e rinisë në Vlorë", "inflected", theme(["youth"], muni="Vlorë")),
    ("mjedisin e Beratit", "inflected", theme(["environment"], muni="Berat")),
    ("të drejtat e fëmijës Elbasan", "inflected", theme(["children"], muni="Elbasan")),
    ("gazetaria investigative Tiranë", "inflected",
     concept(["gazetari investigative", "gazetarinë investigative",
              "investigative journalism"], muni="Tiranë")),
    ("komuniteti rom Korçë", "inflected", theme(["minorities"], muni="Korçë")),
    ("dhunën në familje Durrës", "inflected", theme(["domestic-violence"], muni="Durrës")),
    ("bujqësia organike në qarkun e Korçës", "inflected",
     concept(["bujqësi organike", "organic farming"], county="Korçë")),
    ("fëmijët e Durrësit", "inflected", theme(["children"], muni="Durrës")),

    # misspelt (one or two letters wrong in a word of 5+ letters)
    ("prokurimt publik Tiranë", "misspelt", concept(PROCUREMENT, muni="Tiranë")),
    ("mjedsi Fier", "misspelt", theme(["environment"], muni="Fier")),
    ("barazia gjinroe Durrës", "misspelt", theme(["gender-equality"], muni="Durrës")),
    ("aftësi të kufizuarra Shkodër", "misspelt", theme(["disability"], muni="Shkodër")),
    ("kooperativa bujqsore Fier", "misspelt",
     concept(["kooperativa bujqësore", "farmers' cooperatives"], muni="Fier")),
    ("trashëgimi kulturrore Berat", "misspelt", theme(["culture-heritage"], muni="Berat")),
    ("ekoturizm", "misspelt", concept(["ekoturizëm", "ecotourism"])),
    ("enviromental monitoring Vlora", "misspelt",
     concept(["monitorim mjedisor", "environmental monitoring"], muni="Vlorë")),

    # english
    ("domestic violence Tirana", "english", theme(["domestic-violence"], muni="Tiranë")),
    ("Roma and Egyptian communities Elbasan", "english", theme(["minorities"], muni="Elbasan")),
    ("youth organisations in Shkodra", "english", theme(["youth"], muni="Shkodër")),
    ("disability Vlora", "english", theme(["disability"], muni="Vlorë")),
    ("animal welfare", "english", theme(["animal-welfare"])),
    ("energy prices", "english", concept(["çmimet e energjisë", "energy prices"])),
    ("disaster preparedness", "english", theme(["emergency-relief"])),
    ("LGBTI Tirana", "english", theme(["lgbti"], muni="Tiranë")),
    ("elderly care Tirana", "english", theme(["elderly"], muni="Tiranë")),

    # acronym
    ("LMB", "acronym", acronym("LMB")),
    ("RMNV", "acronym", acronym("RMNV")),
    ("QJDT", "acronym", acronym("QJDT")),
    ("KGIV", "acronym", acronym("KGIV")),
    ("SUSK", "acronym", acronym("SUSK")),
    ("OJF mjedisore Berat", "acronym", theme(["environment"], muni="Berat", orgs_only=True)),
    ("OSHC rinore Elbasan", "acronym", theme(["youth"], muni="Elbasan", orgs_only=True)),
    ("NGO human rights Shkodra", "acronym",
     theme(["human-rights"], muni="Shkodër", orgs_only=True)),
    ("CSO gender equality Vlora", "acronym",
     theme(["gender-equality"], muni="Vlorë", orgs_only=True)),

    # expertise (journalist-style questions)
    ("monitorim prokurimi Vlorë", "expertise", concept(PROCUREMENT, muni="Vlorë")),
    ("who monitors public procurement in Elbasan", "expertise",
     concept(PROCUREMENT, muni="Elbasan")),
    ("gender budgeting Tirana", "expertise",
     concept(["buxhetim gjinor", "gender budgeting"], muni="Tiranë")),
    ("litigim strategjik Tiranë", "expertise",
     concept(["litigim strategjik", "strategic litigation"], muni="Tiranë")),
    ("verifikim faktesh", "expertise", concept(["verifikim faktesh", "fact-checking"])),
    ("court monitoring Shkodra", "expertise",
     concept(["monitorim i gjykatave", "court monitoring"], muni="Shkodër")),
    ("siguri kibernetike", "expertise", concept(["siguri kibernetike", "cybersecurity"])),
    ("sondazhe opinioni", "expertise", expertise(["sondazhe", "surveys"])),
    ("experts on EU funds in Shkodra", "expertise",
     concept(["fondet e BE", "EU funds"], muni="Shkodër")),
    ("buxhetim me pjesëmarrje Korçë", "expertise",
     concept(["buxhetim me pjesëmarrje", "participatory budgeting"], muni="Korçë")),

    # name (part of a specific organisation's or network's name)
    ("Vitet e Arta", "name", name_parts(["Vitet e Arta"])),
    ("Kodi i Hapur Elbasan", "name", name_parts(["Kodi i Hapur", "Elbasan"])),
    ("Miqtë e Kafshëve", "name", name_parts(["Miqtë e Kafshëve"])),
    ("Streha e Sigurt", "name", name_parts(["Streha e Sigurt"])),
    ("Hapi Kuçova", "name", name_parts(["Hapi", "Kuçova"])),
    ("Koalicioni për Gazetari Investigative", "name",
     name_parts(["Koalicioni për Gazetari Investigative"])),
    ("Avokatët e Qytetarit Rrezja", "name", name_parts(["Avokatët e Qytetarit", "Rrezja"])),
    ("Dallëndyshja romëve", "name", name_parts(["Dallëndyshja", "Romëve"])),
    ("Rrjeti Mjedisor i Veriut", "name", name_parts(["Rrjeti Mjedisor i Veriut"])),

    # place_theme (a theme plus a place)
    ("mjedisi Korçë", "place_theme", theme(["environment"], muni="Korçë")),
    ("arsimi Durrës", "place_theme", theme(["education"], muni="Durrës")),
    ("shëndetësia Fier", "place_theme", theme(["health"], muni="Fier")),
    ("turizëm qarku i Vlorës", "place_theme", theme(["tourism"], county="Vlorë")),
    ("integrimi evropian Shkodër", "place_theme", theme(["eu-integration"], muni="Shkodër")),
    ("media Tiranë", "place_theme", theme(["media-information"], muni="Tiranë")),
    ("zhvillim rural qarku Kukës", "place_theme", theme(["rural-development"], county="Kukës")),
    ("organizata rinore Dibër", "place_theme", theme(["youth"], muni="Dibër", orgs_only=True)),
    ("sport Elbasan", "place_theme", theme(["sport"], muni="Elbasan")),
]


def main():
    out = []
    problems = []
    for query, category, (criterion, pred) in CASES:
        ids = sorted(r["id"] for r in RECORDS if pred(r))
        if not 1 <= len(ids) <= 30:
            problems.append(f"{query!r}: {len(ids)} relevant records")
        out.append({"query": query, "category": category, "relevant": ids,
                    "criterion": criterion})
    if problems:
        sys.exit("relevant sets out of range:\n" + "\n".join(problems))
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"wrote {len(out)} cases to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
