"""Word material for the demo world: names, places, bios, products and scents.

Everything here is invented for the demo: the brands, their products and shops do not exist,
and the people are random combinations of common first and last names.
"""

from __future__ import annotations

BRAND = "Maison Lumière"
BRAND_HANDLE = "MaisonLumiere"
CAMPAIGN_TAG = "MaLumiereAMoi"
BRAND_TAG = "MaisonLumiere"
BOYCOTT_TAG = "BoycottMaisonLumiere"
SITE = "maison-lumiere.example"

COMPETITORS = {
    "celeste": ("Bougies Céleste", "BougiesCeleste"),
    "flamme": ("Atelier Flamme", "AtelierFlamme"),
}
"""Competitor key -> (display name, handle and hashtag)."""

FIRST_FR = (
    "Léa", "Camille", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Emma", "Clara", "Anaïs",
    "Pauline", "Marion", "Laura", "Océane", "Mathilde", "Élodie", "Justine", "Margaux",
    "Lucie", "Charlotte", "Juliette", "Zoé", "Lola", "Amandine", "Audrey", "Aurélie",
    "Céline", "Sophie", "Nathalie", "Isabelle", "Valérie", "Sandrine", "Caroline", "Émilie",
    "Hélène", "Agathe", "Louise", "Alice", "Jeanne", "Romane", "Noémie", "Yasmine", "Nadia",
    "Fatou", "Leïla", "Salomé", "Maëlle", "Solène", "Gaëlle", "Coralie", "Morgane", "Estelle",
    "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Hugo", "Lucas", "Romain", "Kevin",
    "Alexandre", "Guillaume", "Quentin", "Pierre", "Karim", "Mehdi", "Yanis", "Théo",
    "Baptiste", "Florian", "Vincent", "Sébastien", "Damien", "Benoît", "Arnaud", "Olivier",
    "Jérôme", "Mathieu", "Adrien", "Bastien", "Sofiane", "Rayan", "Nathan", "Louis",
)
LAST_FR = (
    "Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Simon",
    "Michel", "Garcia", "Roux", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert",
    "Fontaine", "Rousseau", "Vincent", "Muller", "Lefèvre", "Faure", "André", "Mercier",
    "Blanc", "Guérin", "Boyer", "Chevalier", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Barbier", "Benoît", "Ducros", "Marchand", "Brunet",
    "Renaud", "Caron", "Lemaire", "Aubert", "Giraud", "Leclerc", "Meunier", "Colin",
    "Vidal", "Picard", "Roussel", "Lacroix", "Arnaud", "Benali", "Haddad", "Diallo",
    "Traoré", "Nguyen", "Le Gall", "Kerjean", "Pichon", "Besson", "Texier", "Tessier",
)
FIRST_EN = (
    "Emily", "Olivia", "Sophie", "Hannah", "Grace", "Chloe", "Megan", "Jessica", "Lauren",
    "Amy", "Rachel", "Ellie", "Kate", "Lucy", "Holly", "Zara", "Priya", "Maya", "Ava",
    "James", "Oliver", "Jack", "Harry", "Daniel", "Ryan", "Ben", "Sam", "Tom", "Josh",
    "Liam", "Noah", "Ethan", "Adam",
)
LAST_EN = (
    "Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Roberts", "Walker",
    "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood",
    "Harris", "Clarke", "Patel", "Khan", "Murphy", "Kelly", "Bennett", "Carter", "Cooper",
)
FIRST_ES = ("Lucía", "María", "Carmen", "Paula", "Sofía", "Javier", "Pablo", "Alejandro",
            "Marta", "Elena", "Diego", "Andrea")
LAST_ES = ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro",
           "Torres", "Ruiz", "Moreno")
FIRST_DE = ("Anna", "Lena", "Laura", "Julia", "Katharina", "Jonas", "Lukas", "Felix",
            "Miriam", "Sabine", "Tobias", "Nina")
LAST_DE = ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann",
           "Wagner", "Koch", "Richter")

NAMES = {
    "fr": (FIRST_FR, LAST_FR),
    "en": (FIRST_EN, LAST_EN),
    "es": (FIRST_ES, LAST_ES),
    "de": (FIRST_DE, LAST_DE),
}

CITIES = {
    "fr": (
        "Paris", "Lyon", "Marseille", "Bordeaux", "Nantes", "Lille", "Toulouse", "Rennes",
        "Strasbourg", "Montpellier", "Nice", "Grenoble", "Dijon", "Angers", "Tours", "Annecy",
        "La Rochelle", "Biarritz", "Brest", "Rouen", "Reims", "Clermont-Ferrand",
        "Aix-en-Provence", "Metz", "Nancy", "Limoges", "Caen", "Avignon", "Perpignan",
        "Besançon", "Orléans", "Le Havre", "Poitiers", "Pau", "Vannes", "Saint-Malo",
        "Bruxelles", "Genève", "Lausanne", "Montréal", "Québec", "Liège",
    ),
    "en": ("London", "Manchester", "Bristol", "Dublin", "Edinburgh", "Leeds", "Brighton",
           "New York", "Toronto", "Boston", "Melbourne", "Paris"),
    "es": ("Madrid", "Barcelona", "Sevilla", "Valencia", "Bilbao", "Málaga"),
    "de": ("Berlin", "München", "Hamburg", "Köln", "Wien", "Zürich"),
}
LOCATION_STYLES = ("{city}", "{city}, France", "📍 {city}", "{city} ☀️", "entre {city} et {city2}",
                   "{city} 🇫🇷", "{city} / {city2}")
LOCATION_STYLES_INTL = ("{city}", "📍 {city}", "{city} ✈️ Paris", "{city}")

INTERESTS_FR = (
    "déco", "bougies", "café", "lecture", "yoga", "slow living", "DIY", "plantes", "voyages",
    "cuisine", "chats", "rando", "vintage", "minimalisme", "photo", "mode", "beauté",
    "cocooning", "thé", "séries", "podcasts", "brocante", "jardinage", "pâtisserie", "couture",
    "running", "musique", "ciné", "tricot", "zéro déchet", "archi", "céramique", "vin nature",
)
JOBS_FR = (
    "maman de 2", "prof des écoles", "infirmière", "étudiante en archi", "graphiste freelance",
    "dev le jour, pâtissier la nuit", "community manager", "libraire", "kiné", "ingé son",
    "papa solo", "architecte d'intérieur", "fleuriste", "juriste", "en reconversion",
    "photographe amateur", "étudiant", "ostéo", "boulangère", "consultante RH",
)
INTERESTS_EN = (
    "home decor", "candles", "coffee", "books", "yoga", "plants", "travel", "baking", "cats",
    "hiking", "vintage", "skincare", "interiors", "tea", "true crime podcasts", "knitting",
)
JOBS_EN = ("mum of 3", "nurse", "teacher", "UX designer", "student", "florist", "barista",
           "software engineer", "interior stylist", "bookseller")
BIO_STYLES = (
    "{i1} & {i2} {e}", "{job} · {i1} · {i2}", "{i1}, {i2}, {i3} {e}", "{job} | {city}",
    "{i1} addict {e} {job}", "{i1} · {i2} · bougies {e}", "{e} {i1} / {i2}",
    "{job}. {i1}. Avis perso.", "{i1} • {i2} • {city}", "ici pour la {i1} et les bons plans",
    "compte perso · {job}", "{e}{e2}",
)
BIO_STYLES_EN = ("{i1} & {i2} {e}", "{job} · {i1} · {i2}", "{i1}, {i2}, {i3} {e}",
                 "{job} | {city}", "{e} {i1} lover", "views my own. {i1}, {i2}")
BIO_EMOJI = ("🕯️", "✨", "🌿", "☕", "📚", "🍂", "🌸", "🐈", "🧡", "🌙", "🏡", "🧶", "🌊", "🍷")

HANDLE_WORDS = (
    "cocooning", "bougie", "deco", "cosy", "petitesmanies", "maison", "lumiere", "flamme",
    "hygge", "the_vert", "cafe", "lecture", "plaid", "soir", "automne", "lavande", "ambre",
)

PRODUCTS = (
    "Figue Sauvage", "Nuit d'Été", "Ambre & Santal", "Fleur d'Oranger", "Bois Flotté",
    "Thé Noir Fumé", "Lavande de Haute-Provence", "Feu de Bois", "Vanille Bourbon",
    "Cèdre Blanc", "Jardin de Menton", "Rose Ancienne", "Pluie d'Automne", "Cuir & Tabac",
    "Mimosa", "Poire Givrée", "Bergamote", "Épices d'Hiver", "Linge Propre", "Tomate Verte",
)
FORMATS_FR = ("la bougie", "la grande bougie", "la bougie trois mèches", "le diffuseur",
              "la recharge", "le parfum d'ambiance", "la mini bougie", "le coffret")
FORMATS_EN = ("the candle", "the big candle", "the three-wick candle", "the diffuser",
              "the refill", "the room spray", "the mini candle", "the gift set")
SCENT_NOTES_FR = (
    "la figue", "l'ambre", "la vanille", "le bois de cèdre", "la fleur d'oranger",
    "le feu de bois", "la lavande", "le thé fumé", "la bergamote", "le santal", "le mimosa",
    "les épices", "le cuir", "la poire", "la rose", "le linge propre",
)
SCENT_NOTES_EN = ("fig", "amber", "vanilla", "cedarwood", "orange blossom", "woodsmoke",
                  "lavender", "smoky tea", "bergamot", "sandalwood", "pear", "rose")
RELATIVES_FR = ("ma mère", "ma sœur", "ma belle-mère", "mon mec", "ma meuf", "ma meilleure pote",
                "ma coloc", "ma grand-mère", "ma tante", "ma collègue", "mon frère", "ma cousine",
                "la maîtresse de mon fils", "mon père", "ma voisine", "ma témoin")
RELATIVES_EN = ("my mum", "my sister", "my girlfriend", "my best friend", "my flatmate",
                "my grandma", "my boss", "my mother-in-law", "my partner")
OCCASIONS_FR = ("Noël", "son anniv", "son anniversaire", "la crémaillère",
                "la fête des grands-mères", "le Secret Santa du bureau", "la Saint-Nicolas",
                "un pot de départ", "nos 10 ans", "Halloween")
OCCASIONS_EN = ("Christmas", "her birthday", "a housewarming", "Secret Santa", "our anniversary")
ROOMS_FR = ("le salon", "ma chambre", "la salle de bain", "l'entrée", "mon bureau", "la cuisine",
            "tout l'appart", "toute la maison")
ROOMS_EN = ("the living room", "my bedroom", "the bathroom", "my office", "the whole flat")
DELAYS_FR = ("3 semaines", "10 jours", "15 jours", "presque un mois", "12 jours", "trois semaines",
             "deux semaines", "un mois")
DELAYS_EN = ("3 weeks", "10 days", "two weeks", "almost a month")
FAST_FR = ("48h", "2 jours", "24h", "3 jours", "moins de 48h")
PRICES = (29, 32, 35, 39, 42, 45, 49, 54, 59)
BURN_TIMES = ("40h", "45h", "50h", "une cinquantaine d'heures", "60h", "plus de 40h")
SHOPS_FR = ("la boutique de Lyon", "la boutique du Marais", "la boutique de Bordeaux",
            "leur pop-up à Lille", "la boutique de Nantes", "leur corner aux Galeries")
SUBREDDITS = ("BougiesEtCocooning", "ConsoFrance", "DecoFR", "BonsPlansMaison", "AskFrance_",
              "CandleLoversEU", "MaisonEtJardinFR")

HASHTAGS_FR = (
    "bougie", "bougieparfumée", "cocooning", "deco", "décoration", "homedecor", "hygge",
    "automne", "fallvibes", "madeinfrance", "fabriquéenfrance", "slowliving", "cosyhome",
    "bougieartisanale", "cirevégétale", "autumnvibes", "decointerieur", "interiordesign",
    "cosy", "homesweethome", "candlelover", "instadeco", "dimanchecocooning", "ambiance",
)
HASHTAGS_EN = ("candles", "candlelover", "homedecor", "cosyhome", "autumnvibes", "hygge",
               "slowliving", "fallvibes", "madeinfrance", "interiors", "selfcare")
HASHTAGS_BACKLASH = ("hausseDesPrix", "inflation", "prix", "consommateurs", "arnaque")

EMOJI = {
    "pos": ("😍", "🥰", "✨", "🕯️", "🧡", "💛", "🙌", "🔥", "👌", "😊", "🌿", "🍂", "🤩", "❤️",
            "💕", "🥹", "😌", "👏", "💯", "🫶"),
    "neu": ("🤔", "👀", "🕯️", "🙂", "🙃", "🤷‍♀️", "📦", "❓", "😅"),
    "neg": ("😡", "😤", "🙄", "😒", "👎", "💸", "🤬", "😞", "😬", "🤡", "😑", "🫠"),
}
