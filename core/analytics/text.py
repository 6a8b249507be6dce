"""Text analytics for interview experiences with NLTK parts that need no downloaded corpora.

Cleaning, tokens, stems, keyword extraction, topic tags and VADER sentiment. It runs once when an
experience is approved (`analyse_experience`); the results are stored, never recomputed per search.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from nltk.collocations import BigramCollocationFinder
from nltk.probability import FreqDist
from nltk.stem.snowball import SnowballStemmer
from nltk.tokenize import RegexpTokenizer

from core.analytics.sections import process_text, says_asked, without_intro
from core.analytics.stopwords import ENGLISH, KEYWORD_NOISE, STOPWORDS
from core.analytics.topics import (
    ALL_TOPICS,
    DSA,
    DSA_GENERIC,
    DSA_KEYWORDS,
    OTHER_KEYWORDS,
    PROJECTS,
    QUESTION_ONLY_KEYWORDS,
    ROUND_KIND_TOPICS,
    WEAK_KEYWORDS,
    phrases,
)

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- cleaning

_URL = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]]|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", re.IGNORECASE
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def clean(text: str | None) -> str:
    """Lower-case `text` with URLs and e-mail addresses removed and whitespace collapsed."""
    if not text:
        return ""
    t = unicodedata.normalize("NFKC", str(text)).translate(_QUOTES)
    t = _INVISIBLE.sub("", t)
    t = _URL.sub(" ", t)
    return _SPACES.sub(" ", t.lower()).strip()


def content_hash(text: str | None) -> str:
    """SHA-256 of the cleaned text, so the same experience pasted twice is recognised as a duplicate."""
    return hashlib.sha256(clean(text).encode("utf-8")).hexdigest()


# ------------------------------------------------------ canonical wording

# British spellings folded to American ones so "normalisation" and "normalization" are one word.
_ISATION = re.compile(r"\b([a-z]{3,})isation(s?)\b")
_ISE_WORDS = (
    "normal|optim|serial|deserial|initial|synchron|organ|priorit|minim|maxim|memo|custom|visual|recogn|"
    "summar|util|categor|author|special|standard|general|parallel|tokens|virtual|containers|capital|"
    "local|global|modern|finalis"
)
_ISE = re.compile(rf"\b({_ISE_WORDS})is(e|ed|es|ing|er|ers)\b")
_SPELLING = {
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "behaviour": "behavior",
    "behavioural": "behavioral",
    "colour": "color",
    "favourite": "favorite",
    "programme": "program",
    "programmes": "programs",
    "centre": "center",
    "licence": "license",
    "defence": "defense",
}
_SPELLING_RE = re.compile(r"\b(" + "|".join(_SPELLING) + r")\b")

# Phrases that mean the same thing, folded to one canonical token (kept unstemmed, shown via DISPLAY).
_PHRASES: tuple[tuple[str, str], ...] = (
    (
        r"(?:tell|talk) (?:me|us) (?:a (?:little )?bit |something |more )?about (?:yourself|urself|you)",
        "selfintro",
    ),
    (
        r"(?:introduce|describe) (?:yourself|urself)|self[- ]?introduction"
        r"|introduction (?:of|about) (?:yourself|you)",
        "selfintro",
    ),
    (r"walk (?:me|us) through (?:your|ur) (?:resume|cv)|(?:brief|short) introduction", "selfintro"),
    (r"why should (?:we|i|they) (?:hire|select|choose) you", "whyhireyou"),
    (
        r"why (?:do|would) you (?:want|like|wish) to (?:join|work (?:for|at|with|in))"
        r"|why (?:this|our) company",
        "whyjoin",
    ),
    (
        r"(?:your )?strengths? and weakness(?:es)?|(?:your )?weakness(?:es)? and strengths?",
        "strengthweakness",
    ),
    (r"where (?:do|would) you see yourself in (?:the next )?(?:5|five|10|ten) years", "fiveyearplan"),
    (
        r"(?:first|second|third|fourth|boyce[- ]codd|1st|2nd|3rd|4th) normal forms?|normal forms?"
        r"|[1-5] ?nf|bcnf|"
        r"normali[sz]ations?|normali[sz]e[ds]?",
        "normalization",
    ),
    (
        r"(?:(?:four|4|main|basic|key) )?(?:pillars|principles|features|concepts|fundamentals|basics)"
        r" of (?:oops?|object[- ]oriented programming)"
        r"|oops? (?:concepts|principles|pillars|features|fundamentals)",
        "oopconcept",
    ),
    (r"object[- ]oriented programming|object[- ]oriented|oops", "oop"),
    (r"database management systems?|rdbms", "dbms"),
    (r"operating systems?", "os"),
    (r"doubly[- ]linked[- ]lists?", "doublylinkedlist"),
    (r"singly[- ]linked[- ]lists?|linked[- ]lists?", "linkedlist"),
    (r"url[- ]shorten(?:er|ing)(?: service)?|tiny ?url|bit\.ly", "urlshortener"),
    (r"\bdp\b", "dynamic programming"),
    (r"b\+? ?trees?", "btree"),
    # Screening steps and connection trouble, not topics: "resume shortlisting", "network issue".
    (
        r"(?:resume|cv)s?[ _-]?(?:based )?short[ -]?list\w*"
        r"|short[ -]?list\w* (?:is |was )?(?:done )?(?:(?:on|of|based on|by) )?"
        r"(?:the |your )?(?:resume|cv)s?",
        "screening",
    ),
    (r"network(?:ing)? (?:issues?|problems?|glitch\w*|connectivity|connection)", "connectionissue"),
    (r"group by", "groupby"),
    (r"order by", "orderby"),
    (r"binary search trees?|\bbsts?\b", "bst"),
    (r"lru caches?", "lrucache"),
    (r"c plus plus|cpp", "c++"),
    (r"machine learning|\bml\b", "machinelearning"),
    (r"deep learning", "deeplearning"),
    (r"system design|systems design", "systemdesign"),
    (r"javascript|\bjs\b", "javascript"),
    (r"node\.?js", "nodejs"),
    (r"react\.?js", "react"),
)
# One pass over the text: the alternatives are tried in the order above, so list specific phrases first.
_PHRASE_RE = re.compile(
    r"\b(?:" + "|".join(f"(?P<p{i}>{p})" for i, (p, _) in enumerate(_PHRASES)) + r")(?![\w+#])"
)
_PHRASE_OUT = {f"p{i}": f" {r} " for i, (_, r) in enumerate(_PHRASES)}

# How canonical tokens are shown to people (keywords, word clouds).
DISPLAY: dict[str, str] = {
    "selfintro": "self introduction",
    "whyhireyou": "why hire you",
    "whyjoin": "why join",
    "strengthweakness": "strengths and weaknesses",
    "fiveyearplan": "five year plan",
    "normalization": "normalization",
    "oopconcept": "OOP concepts",
    "oop": "OOP",
    "dbms": "DBMS",
    "os": "OS",
    "linkedlist": "linked list",
    "doublylinkedlist": "doubly linked list",
    "urlshortener": "URL shortener",
    "screening": "resume shortlist",
    "connectionissue": "network issue",
    "bst": "BST",
    "lrucache": "LRU cache",
    "machinelearning": "machine learning",
    "deeplearning": "deep learning",
    "systemdesign": "system design",
    "javascript": "JavaScript",
    "nodejs": "Node.js",
    "c++": "C++",
    "c#": "C#",
    "sql": "SQL",
}
# Tokens the stemmer must leave alone (canonical tokens and technical names it would mangle).
_TECH_NAMES = """
    c c++ c# .net java python aws gcp azure tcp udp http https ip dns api apis rest sql nosql mysql mongodb
    redis kafka docker kubernetes linux unix git html css react angular django flask spring hashmap hashset
    treemap arraylist jvm jdk jre gc ci cd os dbms
"""
_PROTECTED = frozenset(DISPLAY) | frozenset(_TECH_NAMES.split())


@lru_cache(maxsize=32768)
def _canonical(t: str) -> str:
    """canonical() of already-cleaned text, cached: the same questions recur across many experiences."""
    t = t.replace("n't", " not").replace("'s ", " ").replace("'", " ")
    t = _ISATION.sub(r"\1ization\2", t)
    t = _ISE.sub(r"\1iz\2", t)
    t = _SPELLING_RE.sub(lambda m: _SPELLING[m.group(1)], t)
    t = _PHRASE_RE.sub(lambda m: _PHRASE_OUT[m.lastgroup or ""], t)
    return _SPACES.sub(" ", t).strip()


def canonical(text: str | None) -> str:
    """Cleaned text with spellings and paraphrases folded to one wording ("normal forms" -> normalization)."""
    t = clean(text)
    return _canonical(t) if t else ""


# ----------------------------------------------------------- tokenising

_TOKENIZER = RegexpTokenizer(r"c\+\+|c#|\.net|[a-z0-9]+")
_STEMMER = SnowballStemmer("english")
_ROMAN = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix"})


def words(text: str | None) -> list[str]:
    """Every word of the canonical text, in order, stopwords included (single letters except "c" dropped)."""
    return [w for w in _TOKENIZER.tokenize(canonical(text)) if len(w) > 1 or w == "c"]


def tokens(text: str | None, stop: frozenset[str] = STOPWORDS, keep_numbers: bool = False) -> list[str]:
    """Content words of `text` in order: English and interview-noise stopwords and bare numbers removed."""
    return [w for w in words(text) if w not in stop and (keep_numbers or not w.isdigit())]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball stem of one word, leaving technical names and canonical tokens as they are."""
    if word in _PROTECTED or word in _ROMAN or not word.isalpha():
        return word
    return _STEMMER.stem(word)


def stems(text: str | None, stop: frozenset[str] = STOPWORDS, keep_numbers: bool = False) -> list[str]:
    """Stems of the content words of `text` in order ("Reversing linked lists" -> revers, linkedlist)."""
    return [stem(w) for w in tokens(text, stop, keep_numbers)]


def display(word: str) -> str:
    """How a token is shown to people ("linkedlist" -> "linked list")."""
    return DISPLAY.get(word, word)


# ------------------------------------------------------------------ topics


def _compile(spec: dict[str, str]) -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """Index keyword phrases by their first stem, longest first, for a single left-to-right scan."""
    index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
    for topic, entry in spec.items():
        for phrase in phrases(entry):
            key = tuple(stems(phrase, stop=ENGLISH, keep_numbers=True))
            if key:
                index[key[0]].append((key, topic))
            else:  # pragma: no cover - a maintainer typed only stopwords
                logger.warning("topic keyword %r of %s has no content words", phrase, topic)
    for entries in index.values():
        entries.sort(key=lambda e: -len(e[0]))
    return dict(index)


_STRONG_SPEC = {**DSA_KEYWORDS, DSA: DSA_GENERIC, **OTHER_KEYWORDS}
_STRONG = _compile(_STRONG_SPEC)
_QUESTION = _compile(
    {t: ", ".join((_STRONG_SPEC.get(t, ""), QUESTION_ONLY_KEYWORDS.get(t, ""))) for t in ALL_TOPICS}
)
_RANK = {t: i for i, t in enumerate(ALL_TOPICS)}
_WEAK = _compile({t: ", ".join((_STRONG_SPEC.get(t, ""), WEAK_KEYWORDS[t])) for t in WEAK_KEYWORDS})


# "an ML project", "my web development projects": the word right before "project(s)" names what the
# student's OWN project was about, not a topic the interviewer asked. A marker token after it lets
# `_scan` drop a topic match that ends there (the project itself still counts as Projects).
_SUBJECT_OF = "zzsubjectof"
_PROJECT_OF = re.compile(r"(?<=\w)([ \t]+)(?=projects?\b)", re.I)


def topic_scores(text: str | None, question: bool = False) -> Counter[str]:
    """How strongly `text` speaks of each topic: matched keyword stems, longest phrase first, no overlaps.

    With `question=True` generic coding-title words ("minimum", "pairs", "digits") count too. Any DSA
    sub-topic also scores the umbrella "DSA". The subject of a project ("ML projects") is not a topic.
    """
    marked = _PROJECT_OF.sub(f" {_SUBJECT_OF} ", text) if text else text
    seq = stems(marked, stop=ENGLISH, keep_numbers=True)
    return _scan(seq, _QUESTION if question else _STRONG)


def narrative_topic_scores(text: str | None) -> Counter[str]:
    """topic_scores of a narrative, sentence by sentence (one per line of `process_text`): weak words
    ("resume", "internship") count only in sentences that say something was asked or discussed."""
    scores: Counter[str] = Counter()
    for sentence in (text or "").split("\n"):
        scores.update(topic_scores(sentence))
        if says_asked(sentence):
            weak = _scan(stems(sentence, stop=ENGLISH, keep_numbers=True), _WEAK)
            for topic, n in weak.items():
                if not scores.get(topic):
                    scores[topic] += n
    return scores


def _scan(seq: list[str], index: dict[str, list[tuple[tuple[str, ...], str]]]) -> Counter[str]:
    """Keyword phrases of `index` found in the stem sequence, longest first, no overlaps; DSA umbrella.

    A _SUBJECT_OF marker is not a word: a phrase matches across it, and one that ends right before it
    names a project's subject and is dropped (a Projects phrase is kept).
    """
    if _SUBJECT_OF in seq:
        words = [s for s in seq if s != _SUBJECT_OF]
        marks = [i for i, s in enumerate(seq) if s == _SUBJECT_OF]
        ends_subject = {i - n - 1 for n, i in enumerate(marks)}  # index in `words` of the word before each
        seq = words
    else:
        ends_subject = set()
    scores: Counter[str] = Counter()
    i = 0
    while i < len(seq):
        for key, topic in index.get(seq[i], ()):
            if tuple(seq[i : i + len(key)]) == key:
                if i + len(key) - 1 not in ends_subject or topic == PROJECTS:
                    scores[topic] += len(key)
                i += len(key)
                break
        else:
            i += 1
    dsa = sum(c for t, c in scores.items() if t in DSA_KEYWORDS)
    if dsa:
        scores[DSA] += dsa
    return scores


def _ordered(scores: Counter[str]) -> list[str]:
    """Topics with a positive score, strongest first, ties in the map's order."""
    return sorted((t for t, c in scores.items() if c > 0), key=lambda t: (-scores[t], _RANK.get(t, 999)))


def _primary(scores: Counter[str]) -> str | None:
    """The most specific topic: the strongest non-umbrella one, else DSA, else None."""
    specific = [t for t in _ordered(scores) if t != DSA]
    if specific:
        return specific[0]
    return DSA if scores.get(DSA) else None


def tag_topics(text: str | None, question: bool = False) -> list[str]:
    """Topic tags of `text` from the keyword map, strongest first ("Explain deadlock" -> ["OS"])."""
    return _ordered(topic_scores(text, question))


def topic_for_round(round_kind: str | None) -> str | None:
    """The topic implied by a round's kind ("HR round" -> "HR"), or None for a plain technical round."""
    kind = clean(round_kind)
    if not kind:
        return None
    kind_words = set(re.findall(r"[a-z]+", kind))
    for key, topic in ROUND_KIND_TOPICS:
        if (" " in key and key in kind) or any(w.startswith(key) for w in kind_words):
            return topic
    return None


def primary_topic(text: str | None, round_kind: str | None = None) -> str | None:
    """The one topic stored with a question: its most specific tag, else what its round implies, else None."""
    return _primary(topic_scores(text, question=True)) or topic_for_round(round_kind)


# ---------------------------------------------------------------- keywords

_CODE_BLOCK = re.compile(r"```.*?(?:```|$)|`[^`\n]*`", re.S)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s.*$", re.M)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"(?m)^\s*(?:[-*+•>]|\d+[.)])\s+|[*_~]{1,3}(?=\S)|(?<=\S)[*_~]{1,3}|<[^>\n]{1,40}>")
# Identifiers and hashes ("m6adyutsu3ebds", "x7f3a9c2e1"): letters and digits mixed, longer than a course
# code like "cs220" or "esc101".
_CODE_WORD = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]{9,}$")
_KEYWORD_EXTRA_NOISE = frozenset({"dos", "donts", "nots", "don", "insights", "brief", "studying"})


def strip_markup(text: str | None) -> str:
    """`text` without markdown (headings, links, emphasis, bullets), code, HTML tags and entities.

    Headings of a write-up are its template ("## Preparation Resources"), not what the student said."""
    if not text:
        return ""
    t = without_intro(html.unescape(str(text)).replace("\r\n", "\n"))
    t = _CODE_BLOCK.sub(" ", t)
    t = _MD_HEADING.sub(" ", t)
    t = _MD_IMAGE.sub(" ", t)
    t = _MD_LINK.sub(r"\1", t)
    t = _MD_MARKS.sub(" ", t)
    return re.sub(r"\bdon'?ts\b|\bdo'?s\b", " ", t, flags=re.I)


def _unique_texts(texts: Iterable[str | None]) -> list[str]:
    """Non-empty texts, dropping any that is contained in another (a post's tips inside its text)."""
    items = [str(t) for t in texts if t and str(t).strip()]
    squashed = [" ".join(t.split()) for t in items]
    return [
        t
        for i, t in enumerate(items)
        if not any(
            j != i and squashed[i] in squashed[j] and (len(squashed[j]) > len(squashed[i]) or j < i)
            for j in range(len(items))
        )
    ]


def keyword_words(text: str | None, stop: frozenset[str] | None = None) -> list[str]:
    """Content words of `text` for keywords and word clouds: markup, URLs, code words, stopwords, bare
    numbers and single letters (except "c") removed, in order."""
    stop = stop if stop is not None else STOPWORDS | KEYWORD_NOISE | _KEYWORD_EXTRA_NOISE
    return [
        w
        for w in words(strip_markup(text))
        if w not in stop and not w.isdigit() and (len(w) > 1 or w == "c") and not _CODE_WORD.match(w)
    ]


def word_counts(texts: Iterable[tuple[str | None, int]], limit: int = 120) -> dict[str, int]:
    """Word-cloud counts: for each (text, weight) its distinct content words, grouped by stem so
    "number"/"numbers" are one word, shown in their commonest form; the `limit` largest, largest first."""
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for text, weight in texts:
        seen: dict[str, str] = {}
        for w in keyword_words(text):
            seen.setdefault(stem(w), w)
            surfaces[stem(w)][display(w)] += weight
        for s in seen:
            counts[s] += weight
    return {surfaces[s].most_common(1)[0][0]: n for s, n in counts.most_common(limit)}


def keywords(texts: Iterable[str | None], n: int = 10) -> list[tuple[str, int]]:
    """The `n` most frequent keywords and two-word phrases of `texts` as (phrase, count), most frequent first.

    Phrases come from bigram collocations seen at least twice; their words stop counting on their own
    where they were part of the phrase. Words are grouped by stem and shown in their commonest form.
    """
    if n <= 0:
        return []
    stop = STOPWORDS | KEYWORD_NOISE | _KEYWORD_EXTRA_NOISE
    runs: list[list[str]] = []  # stretches of content words between stopwords/punctuation
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for text in _unique_texts(texts):
        for chunk in re.split(r"[.,;:!?()\[\]{}\n/\\|\"]+", canonical(strip_markup(text))):
            run: list[str] = []
            for w in words(chunk):
                if w in stop or w.isdigit() or len(w) < 2 and w != "c" or _CODE_WORD.match(w):
                    if len(run) > 0:
                        runs.append(run)
                    run = []
                    continue
                s = stem(w)
                surfaces[s][display(w)] += 1
                run.append(s)
            if run:
                runs.append(run)
    if not runs:
        return []
    unigrams = FreqDist(s for run in runs for s in run)
    finder = BigramCollocationFinder.from_documents(runs)
    counts: dict[tuple[str, ...], int] = {}
    for (a, b), c in finder.ngram_fd.most_common():
        if c < 2:
            break
        if a == b:
            continue
        counts[(a, b)] = c
        unigrams[a] -= c
        unigrams[b] -= c
    for s, c in unigrams.items():
        if c > 0:
            counts[(s,)] = c

    def shown(key: tuple[str, ...]) -> str:
        return " ".join(surfaces[s].most_common(1)[0][0] for s in key)

    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], -len(kv[0]), shown(kv[0])))
    return [(shown(k), c) for k, c in ranked[:n]]


# ---------------------------------------------------------------- sentiment

# VADER was built on social-media text. In interview write-ups these words describe the task or are
# function words, not feelings: "a hard DP problem", "got stuck on the edge case", "mock interviews",
# "prepare well", "make sure", "topics like OS", "no CPI cut-off". In the labelled real tips
# (tests/data/real-experiences/sentiment_labels.json) "hard"/"difficult" only ever describe questions
# ("questions you find difficult", "Code Hard", "no matter how hard it seems"), so they are neutral here.
_INTERVIEW_NEUTRAL_WORDS = """
    problem problems stuck mock mocks hard tricky difficult tough challenging challenge solve solved solution
    solutions like well sure no
"""
INTERVIEW_NEUTRAL: frozenset[str] = frozenset(_INTERVIEW_NEUTRAL_WORDS.split())
# Instructions ("Be confident", "Don't bluff", "Practise DP") carry no feeling of their own; they count
# only when they encourage ("Don't lose hope", "trust yourself", "it will help").
_INSTRUCTION = re.compile(
    r"^\W*(?:\d+\W*)?(?:be|do|don'?t|do not|never|make|prepare|practi[cs]e|focus|try|start|keep|plan|choose"
    r"|read|talk|ask|solve|go|give|take|work|have|look|note|register|upsolve|attend|develop|think|spend|stay"
    r"|avoid|use|apply|search|set|maintain|consider|ensure|always|just|also|first|dos|don'?ts|do's)\b",
    re.I,
)
_ENCOURAGING = re.compile(
    r"\b(?:hope|trust yourself|believe|all the best|good luck|motivated|enjoy|worth|you will|you'll|it will"
    r"|it becomes|helps?|helpful|beneficial|good to go|succeed|okay|luck)\b",
    re.I,
)
_ADVICE_SPLIT = re.compile(r"(?<=[.!?])\s+|\s+-\s+|\n+|(?<=\S)\s+(?=\d+[.)-]\s)")

_analyzer_lock = threading.Lock()
_analyzer: object | None = None
_analyzer_loaded = False


def _load_analyzer() -> object | None:
    """NLTK's VADER with the lexicon shipped in `vaderSentiment`; that package's own VADER; else None."""
    try:
        import nltk
        import vaderSentiment
        from nltk.sentiment.vader import SentimentIntensityAnalyzer

        folder = os.path.dirname(vaderSentiment.__file__)
        if folder not in nltk.data.path:
            nltk.data.path.append(folder)
        return _neutralised(SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt"))
    except Exception:  # noqa: BLE001 - any failure here means "use the fallback", logged below
        logger.warning("NLTK VADER unavailable, trying vaderSentiment's own analyser", exc_info=True)
    try:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as PlainVader

        return _neutralised(PlainVader())
    except Exception:  # noqa: BLE001
        logger.warning("no VADER lexicon available: sentiment will read as neutral (0.0)", exc_info=True)
    return None


def _neutralised(analyzer: object) -> object:
    """`analyzer` with the INTERVIEW_NEUTRAL words taken out of its lexicon (they then score 0)."""
    lexicon = getattr(analyzer, "lexicon", None)
    if isinstance(lexicon, dict):
        for word in INTERVIEW_NEUTRAL:
            lexicon.pop(word, None)
    return analyzer


def _get_analyzer() -> object | None:
    """The shared analyser, loaded once on first use (loading reads a 7,500-word lexicon)."""
    global _analyzer, _analyzer_loaded
    if not _analyzer_loaded:
        with _analyzer_lock:
            if not _analyzer_loaded:
                _analyzer = _load_analyzer()
                _analyzer_loaded = True
    return _analyzer


def feeling_text(text: str) -> str:
    """The sentences of `text` that can carry a feeling: instructions are dropped unless they encourage."""
    parts = [p for p in _ADVICE_SPLIT.split(text) if p and p.strip()]
    return " ".join(p for p in parts if not _INSTRUCTION.search(p) or _ENCOURAGING.search(p))


def sentiment(text: str | None) -> float:
    """VADER compound score in [-1, 1] of what `text` says about how it went (0.0 for empty text or when
    no lexicon is available); shown as positive >= 0.05, negative <= -0.05, else neutral.

    Labelling rule this is measured against (tests/data/real-experiences/sentiment_labels.json, our
    labels of the real posts' tips): positive = reassures or encourages the reader, or judges the
    experience, a practice or a resource favourably; negative = the student's own distress, struggle or
    a bad judgement of the process, not turned around; neutral = only instructions or facts. Difficulty
    of tasks ("hard", "stuck", "mock") is a fact, not a feeling (INTERVIEW_NEUTRAL), and instructions
    count only when they encourage. Agreement: bench/quality.py, key sentiment.agreement.
    """
    if not text or not text.strip():
        return 0.0
    analyzer = _get_analyzer()
    if analyzer is None:
        return 0.0
    t = _SPACES.sub(" ", _URL.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES))).strip()
    t = feeling_text(t)
    if not t:
        return 0.0
    try:
        score = float(analyzer.polarity_scores(t)["compound"])  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - a scoring hiccup must never block approving an experience
        logger.warning("sentiment scoring failed", exc_info=True)
        return 0.0
    return max(-1.0, min(1.0, score))


# ------------------------------------------------------ one experience


@dataclass(frozen=True)
class ExperienceText:
    """The free-text parts of one experience; questions are (round kind, question text) in order."""

    role: str = ""
    role_description: str = ""
    preparation: str = ""
    reflections: str = ""
    questions: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Analysis:
    """What is stored for an approved experience: sentiment, keywords, topics and per-question data."""

    sentiment: float
    keywords: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    question_topics: list[str | None] = field(default_factory=list)
    question_normalized: list[str] = field(default_factory=list)


def normalize_question(text: str | None) -> str:
    """Stored normalised form of a question: its content stems in order, for matching and FAQ grouping."""
    return " ".join(stems(text, keep_numbers=True)) or canonical(text)


def analyse_experience(exp: ExperienceText, n_keywords: int = 10) -> Analysis:
    """Analyse one experience once, when it is approved (the caller stores the result)."""
    question_texts = [q for _, q in exp.questions]
    narrative = " \n".join(t for t in (exp.preparation, exp.reflections) if t and t.strip())
    all_texts = [exp.role, exp.role_description, exp.preparation, exp.reflections, *question_texts]
    scores: Counter[str] = Counter()
    # Topics are what was ASKED: the process parts of the role description and of the narrative only.
    # Reflections are advice, preparation sections and sentences name what was studied, and the role
    # title ("Product Manager", "Data Scientist") says what the job is, not what the interview tested.
    for t in (exp.role_description, exp.preparation):
        scores.update(narrative_topic_scores(process_text(t)))
    q_topics: list[str | None] = []
    for kind, text in exp.questions:
        q_scores = topic_scores(text, question=True)
        scores.update(q_scores)
        topic = _primary(q_scores) or topic_for_round(kind)
        if topic and not q_scores:
            scores[topic] += 1
            if topic in DSA_KEYWORDS:
                scores[DSA] += 1
        q_topics.append(topic)
    return Analysis(
        sentiment=round(sentiment(narrative), 4),
        keywords=[k for k, _ in keywords(all_texts, n_keywords)],
        topics=_ordered(scores),
        question_topics=q_topics,
        question_normalized=[normalize_question(t) for t in question_texts],
    )


__all__ = [
    "DISPLAY",
    "ENGLISH",
    "Analysis",
    "ExperienceText",
    "analyse_experience",
    "canonical",
    "clean",
    "content_hash",
    "display",
    "keyword_words",
    "keywords",
    "strip_markup",
    "word_counts",
    "normalize_question",
    "primary_topic",
    "tag_topics",
    "topic_for_round",
    "topic_scores",
    "sentiment",
    "stem",
    "stems",
    "tokens",
    "words",
]
