"""How the embedded text index cuts text into terms: folded words, and French and English stems.

The analysis mirrors the PostgreSQL store's text search configurations, so that both stores
match the same words: `simple` over `unaccent` (lower case, accents folded, every word kept) and
`tp_fr`/`tp_en` (the same, then the Snowball stop words and stemmer of the language). The stop
lists are PostgreSQL's own (`tsearch_data/french.stop` and `english.stop`) without their accented
entries: both stores fold accents before looking a word up, so those never match.
"""

from __future__ import annotations

import tantivy

FOLD = "terrapole_fold"
STEMMED = {"fr": "terrapole_fr", "en": "terrapole_en"}
_SNOWBALL = {"fr": "french", "en": "english"}

_FRENCH_STOP = """
au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me mes moi mon ne nos
notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre
vous c d j l m n s t y suis es est sommes sont serai seras sera serons serez seront serais serait
serions seriez seraient fus fut furent sois soit soyons soyez soient fusse fusses fussions fussiez
fussent ayant ayante ayantes ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons
aurez auront aurais aurait aurions auriez auraient avais avait avions aviez avaient eut eurent aie
aies ait ayons ayez aient eusse eusses eussions eussiez eussent
"""
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
hers herself it its itself they them their theirs themselves what which who whom this that these
those am is are was were be been being have has had having do does did doing a an the and but if or
because as until while of at by for with about against between into through during before after
above below to from up down in out on off over under again further then once here there when where
why how all any both each few more most other some such no nor not only own same so than too very s
t can will just don should now
"""
STOP_WORDS = {"fr": _FRENCH_STOP.split(), "en": _ENGLISH_STOP.split()}


def _folding() -> tantivy.TextAnalyzerBuilder:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(64))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
    )


def analyzers() -> dict[str, tantivy.TextAnalyzer]:
    """Every analyzer the text indexes use, by the name their schema gives it."""
    found = {FOLD: _folding().build()}
    for lang, name in STEMMED.items():
        found[name] = (
            _folding()
            .filter(tantivy.Filter.custom_stopword(STOP_WORDS[lang]))
            .filter(tantivy.Filter.stemmer(_SNOWBALL[lang]))
            .build()
        )
    return found
