"""Our own stopword lists: NLTK's corpus cannot be downloaded here, and interview text has its own noise."""

from __future__ import annotations

# Plain English function words (close to NLTK's list, kept here so nothing is downloaded at run time).
# Number words ("two", "three") are deliberately absent: "Two Sum" and "3Sum" must stay different.
_ENGLISH_WORDS = """
    a about above after again against all also am an and any are aren as at be because been before being
    below between both but by can cannot could couldn did didn do does doesn doing don down during each
    either else etc ever every few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how however i id if im in into is isn it its itself ive just let like ll me
    might more most much must mustn my myself neither no nor not now of off on once only or other ought our
    ours ourselves out over own per re same shall shan she should shouldn so some such than that the their
    theirs them themselves then there these they this those through to too u under until up upon ur us ve
    very via was wasn we were weren what when where whether which while who whom whose why will with within
    without won would wouldn yet you your yours yourself yourselves
"""
ENGLISH: frozenset[str] = frozenset(_ENGLISH_WORDS.split())

# Words that say nothing about an interview because every interview text has them.
_DOMAIN_WORDS = """
    able actually also answer answered answers ask asked asking asks basically bit came candidate candidates
    come day days describe described discuss discussed discussion explain explained explaining gave get gets
    getting give given go going got hello hi hour hours interview interviewed interviewer interviewers
    interviewing interviews kindly lot lots madam minute minutes mr ms ok okay overall panel panelist please
    question questions really round rounds said say says sir tell thank thanks thing things told versus vs
    went write written wrote
"""
DOMAIN: frozenset[str] = frozenset(_DOMAIN_WORDS.split())

# Extra noise when deciding whether two questions ask the same thing: the verbs and qualifiers that
# change the wording but not the question ("Write a program to reverse a singly linked list iteratively").
_FAQ_NOISE_WORDS = """
    algorithm also approach basic basics brief briefly can code coding compare comparison concept concepts
    define definition detail detailed details differ difference differences different efficient efficiently
    example examples find function implement internal internally iterative iteratively kindly know known
    life mean meaning means method optimal optimally optimised optimized please program programs quick
    quickly real recursive recursively scenario short simple simply singly solution solve understand use
    used using versus vs work working works world write detect check determine identify verify print return
    display calculate compute whether exists
"""
FAQ_NOISE: frozenset[str] = frozenset(_FAQ_NOISE_WORDS.split())

# Words too vague to be a keyword of an experience, though they may matter inside a question title.
_KEYWORD_NOISE_WORDS = """
    able also anything asked based best better cleared companies company easy end ended everyone everything
    experience experiences feel feeling felt finally focus focused good great hard knew know lot made make
    many much need needed nice overall practice practiced practise practised preparation prepare prepared
    preparing problem problems rejected related revise revised revision selected someone something start
    started sure take things think thought told took tried try want wanted well
"""
KEYWORD_NOISE: frozenset[str] = frozenset(_KEYWORD_NOISE_WORDS.split())

STOPWORDS: frozenset[str] = ENGLISH | DOMAIN


def is_stopword(word: str) -> bool:
    """True when `word` (lower case) carries no meaning in interview text (English or domain noise)."""
    return word in STOPWORDS
