"""Static reference data of the demo book: catalogue, metrics, vocabularies."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    kind: str
    family: str
    tier_rank: int | None
    department: str | None
    list_arr: int


@dataclass(frozen=True)
class Metric:
    """An entitlement metric a product carries: limits are `base` x one of `steps`."""

    name: str
    period: str
    base: int
    steps: tuple[int, ...]


PRODUCTS: tuple[Product, ...] = (
    Product("PLAT-STARTER", "Automation Platform Starter", "tier", "platform", 1, "Ops", 24000),
    Product("PLAT-PRO", "Automation Platform Professional", "tier", "platform", 2, "Ops", 60000),
    Product("PLAT-ENT", "Automation Platform Enterprise", "tier", "platform", 3, "Ops", 150000),
    Product("FRAUD", "Fraud Detection", "module", "risk", None, "Risk", 80000),
    Product("CREDIT", "Predictive Credit Scoring", "module", "risk", None, "Finance", 90000),
    Product("SPEND", "Spend Analytics", "module", "finance", None, "Finance", 50000),
    Product("LOGI", "Logistics Forecasting", "module", "operations", None, "Ops", 70000),
    Product(
        "PLO", "Production Line Optimization", "module", "operations", None, "Manufacturing", 85000
    ),
    Product(
        "QUAL", "Visual Quality Inspection", "module", "operations", None, "Manufacturing", 65000
    ),
    Product("HRFLOW", "HR Workflow Automation", "module", "people", None, "HR", 40000),
    Product("TALENT", "Talent Analytics", "module", "people", None, "HR", 35000),
    Product("CAMPAIGN", "Campaign Intelligence", "module", "marketing", None, "Marketing", 45000),
    Product(
        "AUDIT", "Compliance & Audit Log Module", "add_on", "governance", None, "Compliance", 30000
    ),
    Product("SANDBOX", "Sandbox Environments", "add_on", "platform-extras", None, None, 12000),
)
PRODUCT_BY_SKU: dict[str, Product] = {p.sku: p for p in PRODUCTS}
TIERS: tuple[str, ...] = ("PLAT-STARTER", "PLAT-PRO", "PLAT-ENT")
MODULES: tuple[str, ...] = tuple(p.sku for p in PRODUCTS if p.kind != "tier")
COMPLIANCE_SKU = "AUDIT"

ADJACENCIES: tuple[tuple[str, str, str], ...] = (
    (
        "FRAUD",
        "CREDIT",
        "Reuse the transaction features already flowing into fraud scoring to score credit risk.",
    ),
    ("CREDIT", "SPEND", "Close the loop from credit decisions to the spend they create."),
    ("LOGI", "PLO", "Apply the same anomaly detection algorithms to machine sensor data."),
    ("PLO", "QUAL", "Catch defects on the lines you already optimise, with the same cameras."),
    ("HRFLOW", "TALENT", "Turn the workflow data you collect into hiring and retention insight."),
    ("CAMPAIGN", "SPEND", "Tie marketing spend to the pipeline it attributes."),
    ("SPEND", "AUDIT", "Give auditors a tamper-proof trail of every approval."),
)

TIER_METRICS: dict[str, tuple[Metric, ...]] = {
    "PLAT-STARTER": (
        Metric("api_calls", "month", 100_000, (2, 3)),
        Metric("seats", "instant", 10, (2, 3, 4, 5)),
    ),
    "PLAT-PRO": (
        Metric("api_calls", "month", 500_000, (2, 3, 4)),
        Metric("seats", "instant", 50, (1, 2, 3, 4)),
        Metric("data_gb", "month", 250, (2, 4)),
    ),
    "PLAT-ENT": (
        Metric("api_calls", "month", 1_000_000, (5, 8, 10)),
        Metric("seats", "instant", 100, (3, 5, 8, 12)),
        Metric("data_gb", "month", 1000, (2, 5)),
    ),
}
MODULE_METRICS: dict[str, tuple[Metric, ...]] = {
    "FRAUD": (Metric("transactions_scored", "month", 1_000_000, (1, 2, 5)),),
    "CREDIT": (Metric("credit_decisions", "month", 10_000, (2, 5, 10)),),
    "SPEND": (Metric("invoices_processed", "month", 5_000, (1, 2, 4)),),
    "LOGI": (Metric("forecast_runs", "month", 2_000, (1, 2, 5)),),
    "PLO": (Metric("sensor_gb", "month", 500, (1, 2, 4)),),
    "QUAL": (Metric("inspections", "month", 50_000, (1, 2, 5)),),
    "HRFLOW": (Metric("workflows_run", "month", 2_000, (1, 3, 5)),),
    "TALENT": (Metric("profiles_analyzed", "month", 1_000, (1, 2, 5)),),
    "CAMPAIGN": (Metric("contacts_scored", "month", 100_000, (1, 2, 5)),),
}
METRIC_NAMES: tuple[str, ...] = tuple(
    sorted({m.name for ms in (*TIER_METRICS.values(), *MODULE_METRICS.values()) for m in ms})
)

SEGMENTS: tuple[tuple[str, float], ...] = (("enterprise", 0.2), ("mid_market", 0.4), ("smb", 0.4))
SEGMENT_PRICE = {"enterprise": 1.3, "mid_market": 1.0, "smb": 0.8}
SEGMENT_MODULE_FACTOR = {"enterprise": 1.0, "mid_market": 0.7, "smb": 0.4}
SEGMENT_MAX_MODULES = {"enterprise": 4, "mid_market": 2, "smb": 1}
SEGMENT_TIER_WEIGHTS = {
    "enterprise": (0.1, 0.5, 0.4),
    "mid_market": (0.35, 0.55, 0.1),
    "smb": (0.8, 0.2, 0.0),
}
REGIONS: tuple[tuple[str, float], ...] = (
    ("NA", 0.45),
    ("EMEA", 0.35),
    ("APAC", 0.15),
    ("LATAM", 0.05),
)
OWNER_WEIGHTS = (0.3, 0.2, 0.2, 0.15, 0.15)

# industry -> probability of owning each module (before the segment factor)
INDUSTRIES: dict[str, dict[str, float]] = {
    "Banking": {"FRAUD": 0.65, "CREDIT": 0.45, "SPEND": 0.1, "AUDIT": 0.3, "HRFLOW": 0.1},
    "Insurance": {"FRAUD": 0.55, "CREDIT": 0.3, "AUDIT": 0.3, "HRFLOW": 0.15, "CAMPAIGN": 0.1},
    "Fintech": {"FRAUD": 0.6, "CREDIT": 0.4, "SPEND": 0.15, "AUDIT": 0.2, "SANDBOX": 0.2},
    "Retail": {"CAMPAIGN": 0.45, "LOGI": 0.35, "SPEND": 0.15, "HRFLOW": 0.15, "FRAUD": 0.1},
    "Manufacturing": {"PLO": 0.55, "QUAL": 0.35, "LOGI": 0.3, "HRFLOW": 0.15},
    "Logistics": {"LOGI": 0.6, "PLO": 0.15, "SPEND": 0.2, "HRFLOW": 0.1},
    "Healthcare": {"AUDIT": 0.35, "HRFLOW": 0.3, "TALENT": 0.15, "SPEND": 0.15},
    "Software": {"CAMPAIGN": 0.35, "HRFLOW": 0.2, "TALENT": 0.2, "SANDBOX": 0.3},
    "Energy": {"PLO": 0.3, "QUAL": 0.25, "LOGI": 0.25, "AUDIT": 0.2},
    "Telecom": {"FRAUD": 0.35, "CAMPAIGN": 0.3, "CREDIT": 0.15, "HRFLOW": 0.15},
    "Food & Beverage": {"LOGI": 0.4, "QUAL": 0.3, "PLO": 0.2, "CAMPAIGN": 0.15},
}
REGULATED = ("Banking", "Insurance", "Fintech", "Healthcare", "Energy")
INDUSTRY_SUFFIX = {
    "Banking": ("Bank", "Savings", "Financial"),
    "Insurance": ("Insurance", "Mutual", "Assurance"),
    "Fintech": ("Pay", "Payments", "Finance"),
    "Retail": ("Stores", "Retail", "Outfitters"),
    "Manufacturing": ("Industries", "Manufacturing", "Works"),
    "Logistics": ("Logistics", "Freight", "Shipping"),
    "Healthcare": ("Health", "Clinics", "Care"),
    "Software": ("Software", "Labs", "Systems"),
    "Energy": ("Energy", "Power", "Utilities"),
    "Telecom": ("Telecom", "Networks", "Mobile"),
    "Food & Beverage": ("Foods", "Brewing", "Farms"),
}
NAME_PREFIX = (
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Litware",
    "Adventure",
    "Woodgrove",
    "Proseware",
    "Wide World",
    "Coho",
    "Alpine",
    "Blue Yonder",
    "Trey",
    "Lucerne",
    "Margie's",
    "Humongous",
    "Wingtip",
    "Fourth Coffee",
    "Graphic Design",
    "Southridge",
    "Consolidated",
    "Relecloud",
    "Datum",
    "Bellows",
    "Cascade",
    "Redwood",
    "Silverline",
    "Granite",
    "Harbor",
    "Summit",
    "Evergreen",
    "Lakeside",
    "Ironwood",
    "Meridian",
    "Pinnacle",
    "Riverbend",
    "Sterling",
    "Starlight",
    "Oakridge",
    "Crescent",
    "Keystone",
    "Bluewater",
    "Highland",
    "Maple",
    "Copperfield",
    "Brightwater",
    "Falcon",
    "Horizon",
    "Juniper",
    "Kestrel",
)
NAME_MIDDLE = (
    "",
    "",
    "",
    "Global",
    "United",
    "National",
    "Pacific",
    "Atlantic",
    "Central",
    "Northern",
    "Coastal",
    "Metro",
    "Royal",
    "First",
)
FIRST_NAMES = (
    "Dana",
    "Chris",
    "Riley",
    "Sam",
    "Alex",
    "Jo",
    "Max",
    "Pat",
    "Kim",
    "Lee",
    "Morgan",
    "Ari",
    "Noor",
    "Vi",
    "Ed",
    "Ray",
    "Bo",
    "Liz",
    "Uma",
    "Ian",
    "Jordan",
    "Taylor",
    "Casey",
    "Avery",
    "Quinn",
    "Rowan",
    "Sasha",
    "Elena",
    "Marco",
    "Priya",
    "Kenji",
    "Fatima",
    "Lars",
    "Ingrid",
    "Omar",
    "Mei",
    "Tomas",
    "Aisha",
    "Diego",
    "Hana",
    "Nikos",
    "Zoe",
    "Felix",
    "Nadia",
    "Ravi",
)
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Muller",
    "Rossi",
    "Nguyen",
    "Khan",
    "Silva",
    "Jensen",
    "Novak",
    "Okafor",
    "Tanaka",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Andersson",
    "Costa",
    "Ivanova",
    "Park",
    "Brown",
    "Lopez",
    "Schmidt",
    "Moreau",
    "Fischer",
    "Ali",
    "Sato",
    "Berg",
    "Murphy",
    "Ortiz",
    "Weber",
    "Yilmaz",
    "Chen",
    "Patel",
    "Varga",
    "Larsen",
    "Reyes",
    "Hughes",
    "Petrov",
    "Kim",
    "Walsh",
)
SPONSOR_TITLES = {
    "Ops": "COO",
    "Risk": "CRO",
    "Finance": "CFO",
    "HR": "CHRO",
    "Manufacturing": "VP Manufacturing",
    "Compliance": "Chief Compliance Officer",
    "Marketing": "CMO",
    "IT": "CIO",
    "Sales": "CRO (Revenue)",
}
DEPARTMENTS: tuple[str, ...] = (
    "Ops",
    "Risk",
    "Finance",
    "Manufacturing",
    "HR",
    "Compliance",
    "Marketing",
)
OTHER_DEPARTMENTS: tuple[str, ...] = ("IT", "Sales", "Legal")
PRIORITIES: dict[str, tuple[str, ...]] = {
    "Ops": (
        "Automate onboarding in every region",
        "One platform for every location",
        "Cut manual processing time by 30%",
        "Ship to three new countries",
    ),
    "Risk": ("Reduce fraud losses by 20%", "Real-time risk monitoring", "Lower chargeback rate"),
    "Finance": (
        "Faster credit decisions",
        "Close the books in three days",
        "Reduce bad-debt write-offs",
        "Control indirect spend",
    ),
    "Manufacturing": (
        "Reduce unplanned line stops",
        "Raise first-pass yield to 98%",
        "Standardise plant workflows",
    ),
    "HR": (
        "Cut new-hire onboarding time in half",
        "Reduce regretted attrition",
        "Self-service HR for every employee",
    ),
    "Compliance": (
        "Pass the next audit without findings",
        "Be ready for the new regulation",
        "Automate regulatory reporting",
    ),
    "Marketing": ("Double marketing-sourced pipeline", "Personalise every campaign"),
    "IT": ("Consolidate vendors", "Move everything to the cloud"),
    "Sales": ("Grow revenue 25%", "Enter the public sector"),
    "Legal": ("Standardise contract templates",),
}
PRIORITY_SOURCES = ("qbr", "board", "public", "call")
REGULATIONS = (
    "DORA",
    "NIS2",
    "SOX",
    "HIPAA",
    "GDPR",
    "EU AI Act",
    "AMLR",
    "PSD3",
    "CSRD",
    "Basel IV",
)
TICKET_DETAILS = (
    "sync failures",
    "outage",
    "slow UI",
    "export broken",
    "SSO question",
    "rate limit",
    "report mismatch",
    "webhook retries",
    "permissions bug",
    "billing question",
)
SUCCESS_METRICS: dict[str, tuple[tuple[str, str, float], ...]] = {
    # department -> (name, unit, typical baseline)
    "Ops": (
        ("hours saved per month", "hours", 0),
        ("automated workflows", "workflows", 5),
        ("straight-through processing rate", "%", 55),
    ),
    "Risk": (("fraud losses prevented", "USD", 0), ("fraud detection rate", "%", 70)),
    "Finance": (("credit decision automation rate", "%", 30), ("invoices auto-matched", "%", 40)),
    "Manufacturing": (("first-pass yield", "%", 88), ("line availability", "%", 82)),
    "HR": (("employee self-service rate", "%", 20),),
    "Compliance": (("controls automated", "controls", 10),),
    "Marketing": (("attributed pipeline", "USD", 0),),
}
MISC_SIGNALS: dict[str, tuple[str, ...]] = {
    "milestone": (
        "first workflow live",
        "100k automated runs",
        "all regions live",
        "integration with ERP complete",
    ),
    "new_initiative": (
        "digital transformation programme",
        "new shared-service centre",
        "customer-experience overhaul",
    ),
    "hiring": ("hiring 20 operations analysts", "new VP Engineering", "hiring in APAC"),
    "funding": ("Series C raised", "new credit facility", "IPO filed"),
    "reference": (
        "case study agreed",
        "joined the customer advisory board",
        "reference call for a prospect",
    ),
}
