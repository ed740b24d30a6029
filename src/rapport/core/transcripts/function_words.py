"""Function-word categories for language style matching.

PROJECT-AUTHORED word lists, written for Rapport from ordinary English grammar. They are *not*
LIWC's dictionaries (which are copyrighted) and their percentages will differ from LIWC's; they
cover the nine categories Ireland & Pennebaker (2010) used for language style matching. Words
are lower case and use a straight apostrophe, matching
:func:`rapport.core.transcripts.model.tokenize`. As in LIWC, a word may count in more than one
category: negated auxiliaries ("don't", "can't") are both auxiliary verbs and negations.
"""

from __future__ import annotations

__all__ = ["CATEGORIES", "FUNCTION_WORDS"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NEGATED_AUXILIARIES = _words(
    "isn't aren't wasn't weren't haven't hasn't hadn't don't doesn't didn't won't wouldn't "
    "shan't shouldn't can't cannot couldn't mightn't mustn't needn't ain't"
)

FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "personal_pronouns": _words(
        "i me my mine myself we us our ours ourselves you your yours yourself yourselves "
        "he him his himself she her hers herself they them their theirs themselves y'all "
        "i'm i've i'll i'd we're we've we'll we'd you're you've you'll you'd "
        "he's he'll he'd she's she'll she'd they're they've they'll they'd"
    ),
    "impersonal_pronouns": _words(
        "it its itself it's it'll it'd this that these those that's "
        "something anything everything someone anyone everyone somebody anybody everybody "
        "what whatever which whichever who whoever whom whose what's who's"
    ),
    "articles": _words("a an the"),
    "conjunctions": _words(
        "and but or nor so yet because cause although though while whilst whereas "
        "unless if whether plus"
    ),
    "prepositions": _words(
        "about above across after against along among amongst around at before behind below "
        "beneath beside besides between beyond by despite down during except for from in "
        "inside into like near of off on onto out outside over past per since through "
        "throughout till to toward towards under underneath until unto up upon via with "
        "within without"
    ),
    "auxiliary_verbs": _words(
        "am is are was were be been being have has had having do does did doing will would "
        "shall should can could may might must need ought"
    )
    | _NEGATED_AUXILIARIES,
    "adverbs": _words(
        "again almost already also always actually anyway even ever here just maybe now "
        "often only perhaps probably quite rather really sometimes soon still then there "
        "too usually very well"
    ),
    "negations": _words("no not never nobody nothing nowhere none neither nope nah")
    | _NEGATED_AUXILIARIES,
    "quantifiers": _words(
        "all another any both each enough every few fewer half less least little lot lots "
        "many more most much several some plenty whole"
    ),
}

CATEGORIES: tuple[str, ...] = tuple(FUNCTION_WORDS)
