#!/usr/bin/env python3
"""Builds index/sq_lexicon.tsv, the stem table of the Albanian stemmer, from the uniparser
Albanian lexicon (MIT, see index/PROVENANCE.md).

Each output line is `lemma<TAB>stem stem ...`: a noun or adjective of standard Albanian, folded
(lowercase, ë→e, ç→c), and the other stems its paradigm inflects from (plural stem, oblique stem,
feminine and plural forms of adjectives), folded the same way. Non-standard (Gheg, dialect)
entries, abbreviations and entries with characters outside Albanian's alphabet are left out.

Usage: python3 index/tools/make_sq_lexicon.py ../shared/data/sq_lexicon_uniparser.tsv > index/sq_lexicon.tsv
"""
import re
import sys

ALPHABET = re.compile(r"^[a-z]+$")


def fold(text):
    return text.lower().replace("ë", "e").replace("ç", "c")


def main(path):
    stems_of = {}
    with open(path, encoding="utf-8") as lexicon:
        next(lexicon)
        for line in lexicon:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            lemma, pos, gramm, stems, paradigm = parts[:5]
            tags = gramm.split(",")
            if pos not in ("NOUN", "A") or "nonst" in tags or "Gheg" in tags or "abbr" in tags:
                continue
            if lemma[:1].isupper():
                continue  # proper names: place names come from the project's own unit list
            key = fold(lemma.strip())
            if not ALPHABET.match(key):
                continue
            forms = stems_of.setdefault(key, [])
            for part in stems.split("|"):
                for alternative in part.split("//"):
                    stem = fold(alternative.strip().rstrip("."))
                    if ALPHABET.match(stem) and len(stem) >= 2 and stem != key and stem not in forms:
                        forms.append(stem)
    for lemma in sorted(stems_of):
        print(lemma + "\t" + " ".join(stems_of[lemma]))


if __name__ == "__main__":
    main(sys.argv[1])
