"""Slot values for one text: drawn on first use, then stable for the rest of that text."""

from __future__ import annotations

from random import Random

from confiance.demo import vocab as v

_LOCAL: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {"format": v.FORMATS_FR, "note": v.SCENT_NOTES_FR, "proche": v.RELATIVES_FR,
           "occasion": v.OCCASIONS_FR, "piece": v.ROOMS_FR, "delai": v.DELAYS_FR,
           "duree": v.BURN_TIMES},
    "en": {"format": v.FORMATS_EN, "note": v.SCENT_NOTES_EN, "proche": v.RELATIVES_EN,
           "occasion": v.OCCASIONS_EN, "piece": v.ROOMS_EN, "delai": v.DELAYS_EN,
           "duree": ("40 hours", "50 hours", "60+ hours")},
    "es": {"delai": ("tres semanas", "diez días", "casi un mes")},
    "de": {"delai": ("drei Wochen", "zehn Tagen", "fast einem Monat")},
}
_COMMON = {"produit": v.PRODUCTS, "rapide": v.FAST_FR, "boutique": v.SHOPS_FR}


class Slots(dict[str, str]):
    """A ``str.format_map`` mapping that draws each missing slot from the vocabulary."""

    def __init__(self, rng: Random, lang: str, platform: str, target: str,
                 prenom: str | None, friend: str | None) -> None:
        super().__init__()
        self.rng = rng
        self.lang = lang
        self.platform = platform
        self.target = target
        self["prenom"] = prenom or ""
        self["site"] = v.SITE
        if friend:
            self["ami"] = friend

    def __missing__(self, key: str) -> str:
        value = self._draw(key)
        self[key] = value
        return value

    def _one(self, options: tuple[str, ...]) -> str:
        return options[int(self.rng.random() * len(options))]

    def _other(self, key: str, options: tuple[str, ...]) -> str:
        """A value different from the one already drawn for ``key``."""
        first = self[key]
        for _ in range(8):
            value = self._one(options)
            if value != first:
                return value
        return first

    def _draw(self, key: str) -> str:
        base = key.rstrip("2")
        local = _LOCAL.get(self.lang, _LOCAL["en"])
        options = local.get(base) or _LOCAL["en"].get(base) or _COMMON.get(base)
        if options is not None:
            return self._other(base, options) if key.endswith("2") else self._one(options)
        if key == "marque":
            return self._brand(self.target)
        if key in {"concurrent", "concurrent2"}:
            return self._competitor(key)
        if key in {"prix", "ancien", "nouveau", "hausse"}:
            self._prices()
            return self[key]
        if key in {"ville", "ville2"}:
            return self._one(v.CITIES["fr"])
        if key == "ami":
            return self._one(v.FIRST_FR).lower()
        return ""

    def _brand(self, target: str) -> str:
        if target in v.COMPETITORS:
            name, handle = v.COMPETITORS[target]
            forms: tuple[str, ...] = (name, name, name, name.lower(), name.split()[-1])
        else:
            name, handle = v.BRAND, v.BRAND_HANDLE
            forms = (name, name, name, name, name, name.lower(), "Maison Lumiere", "ML")
        roll = self.rng.random()
        if self.platform == "x" and roll < 0.25:
            return f"@{handle}"
        if self.platform == "instagram" and roll < 0.2:
            return f"@{handle.lower()}"
        return self._one(forms)

    def _competitor(self, key: str) -> str:
        names = [name for k, (name, _) in v.COMPETITORS.items() if k != self.target]
        if self.target != "brand":
            names.append(v.BRAND)
        if key == "concurrent2":
            first = self["concurrent"]
            rest = [name for name in names if name != first]
            return rest[0] if rest else v.BRAND
        return self._one(tuple(names))

    def _prices(self) -> None:
        old = v.PRICES[int(self.rng.random() * len(v.PRICES))]
        new = round(old * 1.3)
        roll = self.rng.random()
        if self.lang == "en":
            fmt = "€{}"
        else:
            fmt = "{}€" if roll < 0.6 else ("{} €" if roll < 0.85 else "{} euros")
        self.update(prix=fmt.format(old), ancien=fmt.format(old), nouveau=fmt.format(new),
                    hausse=fmt.format(new - old))
