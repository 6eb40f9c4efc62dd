"""The words of alert messages, in French and in English (French first)."""

from __future__ import annotations

LOCALES = {"fr": "fr_FR", "en": "en_GB"}
"""Message languages and the locale their numbers are written in."""

TIME_FORMAT = {"fr": "%d/%m/%Y %H:%M", "en": "%Y-%m-%d %H:%M"}

DETECTORS = {
    "fr": {
        "volume": "Pic de volume de mentions",
        "negative_share": "Hausse de la part de mentions négatives",
        "emerging_term": "Terme émergent",
        "high_reach": "Publication à forte audience",
        "risk_term": "Terme de crise",
        "source_health": "Source d'écoute en panne",
    },
    "en": {
        "volume": "Mention volume spike",
        "negative_share": "Rise in the share of negative mentions",
        "emerging_term": "Emerging term",
        "high_reach": "High-reach post",
        "risk_term": "Risk term",
        "source_health": "Listening source failing",
    },
}

SEVERITIES = {
    "fr": {
        1: "à surveiller",
        2: "faible",
        3: "modérée",
        4: "élevée",
        5: "critique, agir maintenant",
    },
    "en": {1: "worth a look", 2: "low", 3: "moderate", 4: "high", 5: "critical, act now"},
}

EVENTS = {
    "fr": {
        "opened": "Nouvelle alerte",
        "escalated": "Alerte aggravée",
        "resolved": "Alerte résolue",
        "digest": "Résumé des alertes",
    },
    "en": {
        "opened": "New alert",
        "escalated": "Alert escalated",
        "resolved": "Alert resolved",
        "digest": "Alert digest",
    },
}

STATUSES = {
    "fr": {"open": "ouverte", "acknowledged": "prise en charge", "resolved": "résolue"},
    "en": {"open": "open", "acknowledged": "acknowledged", "resolved": "resolved"},
}

UNITS = {
    "fr": {"posts": "publications", "mentions": "mentions", "followers": "abonnés",
           "failures": "échecs"},
    "en": {"posts": "posts", "mentions": "mentions", "followers": "followers",
           "failures": "failures"},
}

SOURCE_TROUBLES = {
    "fr": {
        "auth": "jeton refusé ou expiré : renouvelez-le",
        "config": "configuration refusée par la plateforme : corrigez-la",
        "failing": "échecs répétés : la plateforme ne répond pas",
        "expiring": "le jeton expire bientôt : renouvelez-le",
    },
    "en": {
        "auth": "token refused or expired: renew it",
        "config": "the platform refused the configuration: fix it",
        "failing": "repeated failures: the platform does not answer",
        "expiring": "the token expires soon: renew it",
    },
}
"""What an alert of the ``source_health`` detector says, by its subject."""

SENTIMENTS = {
    "fr": {"positive": "positif", "neutral": "neutre", "negative": "négatif"},
    "en": {"positive": "positive", "neutral": "neutral", "negative": "negative"},
}

WORDS = {
    "fr": {
        "colon": " :",
        "quote": "« {} »",
        "brand": "Marque",
        "severity": "Sévérité",
        "max_severity": "Sévérité la plus haute",
        "detector": "Détecteur",
        "window": "Fenêtre",
        "observed": "Observé",
        "observed_line": "{observed}, attendu : {expected}",
        "status": "Statut",
        "note": "Note",
        "by_on": "par {who} le {when}",
        "system": "Confiance (plus aucun signal)",
        "fired": "déclenchée {count} fois depuis le {since}",
        "all_platforms": "toutes les plateformes",
        "terms": "Termes les plus fréquents",
        "posts": "Publications qui ont déclenché l'alerte",
        "authors": "Auteurs les plus actifs",
        "details": "Détails",
        "followers": "abonnés",
        "engagement": "interactions",
        "posts_unit": "publications",
        "unknown_author": "auteur inconnu",
        "footer": "Alerte n° {id} · Confiance",
        "digest_period": "{count} alerte(s) du {since} au {until} ({zone})",
        "more": "… et {count} autre(s) alerte(s).",
    },
    "en": {
        "colon": ":",
        "quote": "“{}”",
        "brand": "Brand",
        "severity": "Severity",
        "max_severity": "Highest severity",
        "detector": "Detector",
        "window": "Window",
        "observed": "Observed",
        "observed_line": "{observed}, expected: {expected}",
        "status": "Status",
        "note": "Note",
        "by_on": "by {who} on {when}",
        "system": "Confiance (no more signals)",
        "fired": "fired {count} time(s) since {since}",
        "all_platforms": "all platforms",
        "terms": "Top terms",
        "posts": "Posts that drove the alert",
        "authors": "Most active authors",
        "details": "Details",
        "followers": "followers",
        "engagement": "interactions",
        "posts_unit": "posts",
        "unknown_author": "unknown author",
        "footer": "Alert #{id} · Confiance",
        "digest_period": "{count} alert(s) from {since} to {until} ({zone})",
        "more": "… and {count} more alert(s).",
    },
}
