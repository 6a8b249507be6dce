"""Companies a campus student in India meets, with the aliases they type and how each one hires."""

from __future__ import annotations

from dataclasses import dataclass

Weighted = tuple[tuple[str, int], ...]
Sequences = tuple[tuple[tuple[str, ...], int], ...]


@dataclass(frozen=True)
class HiringProfile:
    """How a kind of company hires: selection rate, difficulty, rating, round sequences, branches."""

    selection_rate: float
    difficulty: float
    rating: float
    sequences: Sequences
    branches: Weighted
    oa_style: str  # "aptitude" (service: aptitude + easy coding) or "coding" (product: DSA problems)


@dataclass(frozen=True)
class DemoCompany:
    """One demo company: display name, aliases, kind, popularity and roles (with weights)."""

    name: str
    kind: str
    weight: int
    roles: Weighted
    aliases: tuple[str, ...] = ()
    csv_names: tuple[str, ...] = ()  # company names in the LeetCode CSV, if it has any
    selection_rate: float | None = None  # overrides the kind's rate
    difficulty: float | None = None  # overrides the kind's difficulty
    sequences: Sequences | None = None  # overrides the kind's round sequences


OA, CODING, TECH, MGR, HR, GD = (
    "online_assessment",
    "coding",
    "technical",
    "managerial",
    "hr",
    "group_discussion",
)

_CS_HEAVY: Weighted = (
    ("CSE", 40),
    ("IT", 18),
    ("ECE", 12),
    ("EEE", 4),
    ("MECH", 2),
    ("CIVIL", 1),
    ("DS", 9),
    ("AIML", 9),
    ("Other", 3),
)
_MASS: Weighted = (
    ("CSE", 28),
    ("IT", 16),
    ("ECE", 15),
    ("EEE", 10),
    ("MECH", 9),
    ("CIVIL", 6),
    ("DS", 6),
    ("AIML", 6),
    ("Other", 6),
)
_CORE: Weighted = (
    ("MECH", 30),
    ("EEE", 22),
    ("ECE", 16),
    ("CIVIL", 18),
    ("CSE", 6),
    ("IT", 2),
    ("Other", 6),
)
_ANALYTICS: Weighted = (
    ("CSE", 24),
    ("IT", 12),
    ("ECE", 10),
    ("EEE", 6),
    ("MECH", 6),
    ("CIVIL", 3),
    ("DS", 16),
    ("AIML", 12),
    ("Other", 6),
)

PROFILES: dict[str, HiringProfile] = {
    "service": HiringProfile(
        selection_rate=0.68,
        difficulty=2.2,
        rating=3.6,
        sequences=(
            ((OA, TECH, HR), 55),
            ((OA, TECH, MGR, HR), 18),
            ((OA, GD, TECH, HR), 9),
            ((OA, CODING, TECH, HR), 10),
            ((OA, HR), 4),
            ((OA, TECH, TECH, HR), 4),
        ),
        branches=_MASS,
        oa_style="aptitude",
    ),
    "consulting": HiringProfile(
        selection_rate=0.52,
        difficulty=2.8,
        rating=3.7,
        sequences=(
            ((OA, GD, TECH, HR), 40),
            ((OA, TECH, HR), 35),
            ((OA, TECH, MGR, HR), 25),
        ),
        branches=_MASS,
        oa_style="aptitude",
    ),
    "product": HiringProfile(
        selection_rate=0.27,
        difficulty=3.8,
        rating=4.0,
        sequences=(
            ((OA, TECH, TECH, HR), 40),
            ((OA, TECH, TECH, TECH, HR), 16),
            ((OA, TECH, TECH, MGR), 14),
            ((OA, CODING, TECH, MGR, HR), 10),
            ((OA, TECH, TECH, MGR, HR), 12),
            ((CODING, TECH, HR), 8),
        ),
        branches=_CS_HEAVY,
        oa_style="coding",
    ),
    "finance": HiringProfile(
        selection_rate=0.32,
        difficulty=3.6,
        rating=3.9,
        sequences=(
            ((OA, TECH, TECH, HR), 35),
            ((OA, TECH, TECH, MGR, HR), 30),
            ((OA, CODING, TECH, HR), 20),
            ((OA, TECH, TECH, TECH, HR), 15),
        ),
        branches=_CS_HEAVY,
        oa_style="coding",
    ),
    "core": HiringProfile(
        selection_rate=0.48,
        difficulty=3.0,
        rating=3.5,
        sequences=(
            ((OA, GD, TECH, HR), 40),
            ((OA, TECH, HR), 35),
            ((OA, TECH, MGR, HR), 25),
        ),
        branches=_CORE,
        oa_style="aptitude",
    ),
    "analytics": HiringProfile(
        selection_rate=0.45,
        difficulty=3.0,
        rating=3.5,
        sequences=(
            ((OA, GD, TECH, HR), 45),
            ((OA, GD, HR), 15),
            ((OA, TECH, MGR, HR), 25),
            ((OA, TECH, HR), 15),
        ),
        branches=_ANALYTICS,
        oa_style="aptitude",
    ),
}

COMPANIES: tuple[DemoCompany, ...] = (
    # IT services: mass recruiters on every campus.
    DemoCompany(
        "TCS",
        "service",
        110,
        (("Ninja", 50), ("Digital", 35), ("Prime", 15)),
        aliases=("tcs", "tata consultancy services", "tata consultancy", "tcs ltd", "tata consultancy svcs"),
        csv_names=("tcs",),
        selection_rate=0.74,
        sequences=(((OA, TECH, MGR, HR), 60), ((OA, TECH, HR), 25), ((OA, CODING, TECH, MGR, HR), 15)),
    ),
    DemoCompany(
        "Infosys",
        "service",
        95,
        (("System Engineer", 60), ("Digital Specialist Engineer", 25), ("Specialist Programmer", 15)),
        aliases=("infosys ltd", "infy", "infosys limited", "infosys technologies"),
        csv_names=("Infosys",),
        selection_rate=0.72,
    ),
    DemoCompany(
        "Wipro",
        "service",
        80,
        (("Project Engineer", 70), ("Turbo", 30)),
        aliases=("wipro ltd", "wipro limited", "wipro elite", "wipro technologies"),
        selection_rate=0.73,
    ),
    DemoCompany(
        "Accenture",
        "service",
        80,
        (("Associate Software Engineer", 60), ("Advanced ASE", 25), ("Analyst", 15)),
        aliases=("accenture india", "acn", "accenture solutions"),
        csv_names=("Accenture",),
        selection_rate=0.66,
    ),
    DemoCompany(
        "Cognizant",
        "service",
        80,
        (("GenC", 55), ("GenC Next", 30), ("GenC Pro", 15)),
        aliases=("cts", "cognizant technology solutions", "cognizant india"),
        csv_names=("Cognizant",),
        selection_rate=0.7,
    ),
    DemoCompany(
        "Capgemini",
        "service",
        60,
        (("Analyst", 70), ("Senior Analyst", 30)),
        aliases=("capgemini india", "capg", "cap gemini"),
        selection_rate=0.64,
    ),
    DemoCompany(
        "HCLTech",
        "service",
        50,
        (("Graduate Engineer Trainee", 60), ("Software Engineer", 40)),
        aliases=("hcl", "hcltech", "hcl technologies", "hcl tech"),
        selection_rate=0.67,
    ),
    DemoCompany(
        "Tech Mahindra",
        "service",
        45,
        (("Associate Software Engineer", 70), ("Graduate Engineer Trainee", 30)),
        aliases=("techm", "tech m", "tech mahindra ltd", "mahindra tech"),
        selection_rate=0.7,
    ),
    DemoCompany(
        "LTIMindtree",
        "service",
        35,
        (("Graduate Engineer Trainee", 70), ("Software Engineer", 30)),
        aliases=("ltimindtree", "lti mindtree", "mindtree", "lti", "larsen & toubro infotech"),
        csv_names=("MindTree",),
        selection_rate=0.62,
    ),
    DemoCompany(
        "IBM",
        "service",
        30,
        (("Associate System Engineer", 60), ("Software Developer", 40)),
        aliases=("ibm india", "international business machines"),
        csv_names=("IBM",),
        selection_rate=0.5,
        difficulty=2.8,
    ),
    DemoCompany(
        "Persistent Systems",
        "service",
        25,
        (("Software Engineer", 70), ("Senior Software Engineer", 30)),
        aliases=("persistent", "persistent systems ltd", "psl"),
        csv_names=("persistent systems",),
        selection_rate=0.55,
        difficulty=2.7,
    ),
    DemoCompany(
        "Deloitte",
        "consulting",
        45,
        (("Analyst", 60), ("Business Technology Analyst", 40)),
        aliases=("deloitte usi", "deloitte india", "deloitte consulting"),
    ),
    # Product companies.
    DemoCompany(
        "Amazon",
        "product",
        70,
        (("SDE", 55), ("SDE Intern", 35), ("Data Engineer", 10)),
        aliases=("amazon india", "aws", "amazon web services", "amzn"),
        csv_names=("Amazon",),
        selection_rate=0.24,
        difficulty=4.0,
        sequences=(
            ((OA, TECH, TECH, MGR), 45),
            ((OA, TECH, TECH, TECH, MGR), 30),
            ((OA, TECH, TECH, HR), 25),
        ),
    ),
    DemoCompany(
        "Microsoft",
        "product",
        55,
        (("SDE", 55), ("SDE Intern", 40), ("Data Scientist", 5)),
        aliases=("msft", "microsoft india", "microsoft idc", "ms idc"),
        csv_names=("Microsoft",),
        selection_rate=0.25,
        difficulty=4.0,
    ),
    DemoCompany(
        "Google",
        "product",
        35,
        (("SDE", 50), ("STEP Intern", 30), ("SDE Intern", 20)),
        aliases=("google india", "alphabet", "googl"),
        csv_names=("Google",),
        selection_rate=0.16,
        difficulty=4.5,
        sequences=(((OA, TECH, TECH, TECH, HR), 45), ((OA, TECH, TECH, HR), 35), ((TECH, TECH, HR), 20)),
    ),
    DemoCompany(
        "Adobe",
        "product",
        30,
        (("Member of Technical Staff", 60), ("SDE Intern", 40)),
        aliases=("adobe india", "adobe systems"),
        csv_names=("Adobe",),
        selection_rate=0.26,
    ),
    DemoCompany(
        "Oracle",
        "product",
        35,
        (("Server Technology Member", 50), ("Applications Engineer", 30), ("SDE Intern", 20)),
        aliases=("oracle india", "oracle financial services", "ofss", "oci"),
        csv_names=("Oracle",),
        selection_rate=0.36,
        difficulty=3.4,
    ),
    DemoCompany(
        "Flipkart",
        "product",
        30,
        (("SDE", 60), ("SDE Intern", 40)),
        aliases=("flipkart india", "fk", "flipkart internet"),
        csv_names=("Flipkart",),
        selection_rate=0.22,
        difficulty=4.1,
        sequences=(
            ((OA, CODING, TECH, MGR), 50),
            ((OA, TECH, TECH, MGR, HR), 30),
            ((OA, TECH, TECH, HR), 20),
        ),
    ),
    DemoCompany(
        "Walmart Global Tech",
        "product",
        25,
        (("SDE", 55), ("SDE Intern", 45)),
        aliases=("walmart", "walmart labs", "walmart global tech india", "wgt"),
        csv_names=("Walmart Global Tech",),
        selection_rate=0.28,
    ),
    DemoCompany(
        "Atlassian",
        "product",
        15,
        (("SDE", 60), ("SDE Intern", 40)),
        aliases=("atlassian india", "atlassian bengaluru"),
        csv_names=("Atlassian",),
        selection_rate=0.18,
        difficulty=4.2,
    ),
    DemoCompany(
        "Uber",
        "product",
        15,
        (("SDE", 60), ("SDE Intern", 40)),
        aliases=("uber india", "uber technologies"),
        csv_names=("Uber",),
        selection_rate=0.18,
        difficulty=4.3,
    ),
    DemoCompany(
        "Salesforce",
        "product",
        18,
        (("Associate MTS", 60), ("SDE Intern", 40)),
        aliases=("salesforce india", "sfdc"),
        csv_names=("Salesforce",),
        selection_rate=0.26,
    ),
    DemoCompany(
        "Intuit",
        "product",
        14,
        (("SDE", 60), ("SDE Intern", 40)),
        aliases=("intuit india", "quickbooks"),
        csv_names=("Intuit",),
        selection_rate=0.25,
    ),
    DemoCompany(
        "Zoho",
        "product",
        40,
        (("Member Technical Staff", 70), ("Software Developer", 30)),
        aliases=("zoho corp", "zoho corporation", "zoho chennai"),
        csv_names=("Zoho",),
        selection_rate=0.34,
        difficulty=3.4,
        sequences=(((OA, CODING, CODING, TECH, HR), 55), ((OA, CODING, TECH, HR), 45)),
    ),
    DemoCompany(
        "Paytm",
        "product",
        20,
        (("SDE", 70), ("SDE Intern", 30)),
        aliases=("paytm india", "one97", "one97 communications", "paytm ltd"),
        csv_names=("PayTM",),
        selection_rate=0.33,
        difficulty=3.4,
    ),
    DemoCompany(
        "Swiggy",
        "product",
        15,
        (("SDE", 60), ("SDE Intern", 40)),
        aliases=("swiggy india", "bundl technologies"),
        csv_names=("Swiggy",),
        selection_rate=0.24,
    ),
    DemoCompany(
        "PhonePe",
        "product",
        15,
        (("SDE", 60), ("SDE Intern", 40)),
        aliases=("phone pe", "phonepe india"),
        csv_names=("PhonePe",),
        selection_rate=0.23,
    ),
    DemoCompany(
        "Cisco",
        "product",
        30,
        (("Software Engineer", 55), ("Network Engineer", 25), ("SDE Intern", 20)),
        aliases=("cisco systems", "cisco india", "csco"),
        csv_names=("Cisco",),
        selection_rate=0.33,
        difficulty=3.4,
    ),
    DemoCompany(
        "Samsung",
        "product",
        35,
        (("SDE", 55), ("Research Engineer", 25), ("SDE Intern", 20)),
        aliases=("samsung r&d", "samsung research", "srib", "samsung india", "samsung semiconductor"),
        csv_names=("Samsung",),
        selection_rate=0.34,
        difficulty=3.5,
        sequences=(((OA, TECH, HR), 60), ((OA, TECH, TECH, HR), 40)),
    ),
    DemoCompany(
        "Qualcomm",
        "product",
        20,
        (("Engineer", 60), ("Hardware Engineer", 20), ("Intern", 20)),
        aliases=("qualcomm india", "qcom", "qualcomm hyderabad"),
        csv_names=("Qualcomm",),
        selection_rate=0.3,
    ),
    DemoCompany(
        "Intel",
        "product",
        18,
        (("Graduate Technical Intern", 40), ("Software Engineer", 35), ("Hardware Engineer", 25)),
        aliases=("intel india", "intel corporation", "intel bangalore"),
        csv_names=("Intel",),
        selection_rate=0.32,
    ),
    DemoCompany(
        "Nvidia",
        "product",
        12,
        (("System Software Engineer", 60), ("ASIC Engineer", 20), ("Intern", 20)),
        aliases=("nvidia india", "nvda"),
        csv_names=("Nvidia",),
        selection_rate=0.2,
        difficulty=4.1,
    ),
    # Banks and finance.
    DemoCompany(
        "Goldman Sachs",
        "finance",
        30,
        (("Analyst", 60), ("Summer Analyst", 40)),
        aliases=("gs", "goldman", "goldman sachs india", "gsam"),
        csv_names=("Goldman Sachs",),
        selection_rate=0.3,
    ),
    DemoCompany(
        "JPMorgan Chase",
        "finance",
        35,
        (("Software Engineer Program", 60), ("Code for Good Intern", 40)),
        aliases=("jpmc", "jp morgan", "j.p. morgan", "jpmorgan", "jp morgan chase", "chase"),
        csv_names=("JPMorgan", "JP Morgan"),
        selection_rate=0.4,
        difficulty=3.2,
    ),
    DemoCompany(
        "Morgan Stanley",
        "finance",
        20,
        (("Technology Analyst", 65), ("Summer Analyst", 35)),
        aliases=("morgan stanley india", "mstanley"),
        csv_names=("Morgan Stanley",),
        selection_rate=0.3,
    ),
    DemoCompany(
        "Barclays",
        "finance",
        15,
        (("Graduate Analyst", 70), ("Summer Intern", 30)),
        aliases=("barclays india", "barclays gsc"),
        csv_names=("Barclays",),
        selection_rate=0.4,
        difficulty=3.1,
    ),
    # Core engineering.
    DemoCompany(
        "Larsen & Toubro",
        "core",
        45,
        (("GET", 75), ("Graduate Engineer Trainee - Construction", 25)),
        aliases=(
            "l&t",
            "l & t",
            "larsen & toubro",
            "larsen and toubro",
            "lnt",
            "l and t",
            "l&t construction",
        ),
    ),
    DemoCompany(
        "Bosch",
        "core",
        30,
        (("GET", 60), ("Software Engineer", 40)),
        aliases=("robert bosch", "bosch india", "rbei", "bosch global software technologies", "bgsw"),
    ),
    DemoCompany(
        "Siemens",
        "core",
        20,
        (("GET", 60), ("Software Engineer", 40)),
        aliases=("siemens india", "siemens healthineers", "siemens ltd"),
    ),
    DemoCompany(
        "Tata Steel",
        "core",
        15,
        (("GET", 80), ("Management Trainee", 20)),
        aliases=("tata steel ltd", "tisco"),
        selection_rate=0.42,
    ),
    # Analytics firms.
    DemoCompany(
        "Mu Sigma",
        "analytics",
        35,
        (("Trainee Decision Scientist", 100),),
        aliases=("musigma", "mu-sigma", "mu sigma inc"),
        selection_rate=0.55,
        difficulty=2.6,
    ),
    DemoCompany(
        "Tiger Analytics",
        "analytics",
        15,
        (("Data Analyst", 50), ("Data Scientist", 50)),
        aliases=("tiger", "tiger analytics india"),
        csv_names=("Tiger Analytics",),
    ),
    DemoCompany(
        "ZS Associates",
        "analytics",
        20,
        (("Business Technology Solutions Associate", 50), ("Data Science Associate", 30), ("Analyst", 20)),
        aliases=("zs", "zs associates india"),
    ),
)
