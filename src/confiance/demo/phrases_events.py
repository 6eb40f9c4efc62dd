"""French sentences for the demo's events and conversations, keyed ``topic:sentiment``.

The photo campaign, the price backlash, the brand's own posts and replies, user replies and
titles (reviews, Reddit threads, videos). Slots as in :mod:`confiance.demo.phrases_fr`, plus
``{prenom}`` (who the brand answers), ``{ancien}``/``{nouveau}`` (a price before and after the
increase), ``{ami}`` (a friend's handle) and ``{site}``.
"""

from __future__ import annotations

EVENTS_FR: dict[str, tuple[str, ...]] = {
    "campaign:pos": (
        "ma petite {produit} dans {piece} ce soir",
        "rituel du soir : plaid, thé et {produit}",
        "le coin lecture est prêt pour l'automne",
        "{produit} + pluie dehors = soirée parfaite",
        "ma collection s'agrandit",
        "petit shooting de ma {produit} préférée",
        "la lumière de fin de journée sur ma {produit}",
        "mon coin cocooning version automne",
        "dimanche tout doux avec {produit}",
        "quand la déco suit la saison",
        "je participe avec ma {produit} qui trône sur la cheminée",
        "une bougie, un livre, rien d'autre",
        "le rebord de fenêtre le plus cosy de {ville}",
        "ma table de Noël en avance (oui je sais)",
        "apéro entre copines, {produit} allumée",
        "mes trois chouchous de la saison",
        "le pot vide recyclé en vase, la seconde vie de ma {produit}",
        "séance de yoga à la lueur de {produit}",
    ),
    "backlash:neg": (
        "+30% sur les bougies {marque} du jour au lendemain ?? Vous êtes sérieux ?",
        "{produit} passe de {ancien} à {nouveau}… c'est non",
        "augmentation de 30% sans prévenir, les clients fidèles apprécieront",
        "jsp qui a validé cette augmentation mais c'est une dinguerie",
        "je commandais tous les mois chez {marque}. C'est fini",
        "inflation, matières premières, on connaît le refrain. +30% c'est abusé",
        "le prix de {produit} a pris {hausse} mdr ils se prennent pour qui",
        "{nouveau} la bougie. {nouveau}. Pour de la cire.",
        "trente pour cent d'augmentation et on nous parle de « valeur »",
        "c'est quoi cette hausse des prix de {marque} ? personne n'a été prévenu",
        "j'avais {produit} dans mon panier à {ancien}, ce soir elle est à {nouveau}",
        "vous avez perdu une cliente {marque}",
        "hausse des prix + frais de port, merci mais non merci",
        "les abonnés fidèles se prennent +30% dans la figure, super la récompense",
        "on parle d'une augmentation de 30% en pleine crise du pouvoir d'achat",
        "le communiqué de {marque} sur les prix est d'un mépris…",
        "je suis pas contre payer le juste prix mais là c'est du foutage de gueule",
        "prix en hausse, qualité en baisse, la recette magique",
        "même le coffret a pris +30%, c'est fini les cadeaux {marque}",
        "j'ai recalculé : +{hausse} sur ma bougie habituelle. Non.",
        "ils augmentent les prix juste avant Noël, coïncidence ?",
        "l'augmentation des prix chez {marque} c'est vraiment la goutte d'eau",
        "je viens de voir les nouveaux prix {marque} 😳",
        "{marque} qui augmente ses prix de 30% et qui supprime les commentaires, classe",
        "le « petit ajustement tarifaire » de {marque} : +30%",
    ),
    "backlash:neu": (
        "c'est vrai que {marque} augmente ses prix de 30% ?",
        "quelqu'un a vu les nouveaux prix {marque} ?",
        "vous pensez que {marque} va revenir sur l'augmentation ?",
        "l'augmentation concerne aussi les recharges ?",
        "les commandes passées avant hier sont à l'ancien prix ?",
    ),
    "backlash:pos": (
        "je comprends la hausse, la cire végétale française coûte cher",
        "les gens découvrent que le made in France a un prix",
        "perso je continuerai à acheter {marque}, la qualité est là",
        "+30% ok c'est raide, mais ils ont pas augmenté depuis 4 ans",
    ),
    "switch:neg": (
        "je passe chez {concurrent}, même qualité pour moins cher",
        "bye {marque}, bonjour {concurrent}",
        "du coup j'ai commandé chez {concurrent}, au moins ils augmentent pas de 30%",
        "{concurrent} ne demande pas {nouveau} pour une bougie, juste comme ça",
    ),
    "critic:neg": (
        "🧵 {marque} augmente ses prix de 30% du jour au lendemain. J'ai comparé avec "
        "{concurrent} et {concurrent2} : même cire, même taille, jusqu'à 15€ de moins. "
        "On en parle ?",
    ),
    "brand:pos": (
        "Nouveau parfum : {produit}, coulé à la main dans notre atelier de Touraine 🕯️",
        "Les coulisses de l'atelier : ce matin on coule {produit}",
        "La collection d'automne est en ligne : {produit}, {produit2} et deux nouveautés 🍂",
        "Vos pots vides ont une seconde vie : la consigne est disponible dans toutes nos "
        "boutiques",
        "Merci pour vos messages d'amour, on les lit tous (vraiment) 🧡",
        "Le retour de {produit}, vous l'avez tant demandée",
        "Atelier bougie à {boutique} samedi, il reste quelques places",
        "{produit} : {note}, {note2} et une mèche en coton. Simple, et c'est tout ce qu'on "
        "aime.",
        "Ce week-end, livraison offerte dès 40€ pour préparer {occasion}",
        "Question du jour : plutôt {produit} ou {produit2} pour les soirées d'automne ?",
        "Rencontre avec Hélène, qui coule nos bougies depuis 12 ans ✨",
        "Notre cire vient d'un colza cultivé à 80 km de l'atelier 🌿",
        "Le coffret de Noël arrive bientôt, on vous montre un petit bout ? 👀",
        "Astuce : coupez la mèche à 5 mm avant chaque allumage, votre bougie vous dira merci",
        "{produit} en édition limitée, seulement 500 pièces numérotées",
        "Ouverture de {boutique} ce samedi, venez sentir toute la collection ☕",
        "On a testé {produit} dans {piece} : verdict, on ne l'éteint plus",
        "Merci à {ville} pour l'accueil au marché de créateurs 🧡",
    ),
    "launch:pos": (
        "Montrez-nous votre coin lumière ! Partagez une photo de votre bougie avec "
        "#MaLumiereAMoi, les plus belles seront exposées en boutique et 10 coffrets sont à "
        "gagner",
    ),
    "announce:neu": (
        "Information importante : à partir d'aujourd'hui, nos prix évoluent. La hausse du coût "
        "de la cire végétale et du verre nous oblige à ajuster nos tarifs (environ +30% selon "
        "les produits). Tout est expliqué sur {site}/prix",
    ),
    "announce_x:neu": (
        "Nos prix évoluent à partir d'aujourd'hui (environ +30% selon les produits) : la cire "
        "végétale et le verre nous coûtent beaucoup plus cher. Tout est expliqué sur "
        "{site}/prix",
    ),
    "response_x:neu": (
        "Nous avons lu tous vos messages. L'augmentation a été mal expliquée : les prix de la "
        "collection permanente reviennent à leur niveau d'avant pour nos clients fidèles, "
        "+10% max sur les nouveautés. Merci 🧡",
    ),
    "launch_x:pos": (
        "Montrez-nous votre coin lumière 🕯️ Une photo de votre bougie + #MaLumiereAMoi : les "
        "plus belles exposées en boutique, 10 coffrets à gagner",
    ),
    "response:neu": (
        "Nous avons lu chacun de vos messages. Vous avez raison sur la forme : cette "
        "augmentation a été mal expliquée. Les prix de la collection permanente reviennent "
        "à leur niveau d'avant pour nos clients fidèles, et la hausse sera limitée à 10% sur "
        "les nouveautés. Merci de nous avoir secoués 🧡",
    ),
    "brand_reply:neg": (
        "Bonjour {prenom}, nous sommes vraiment désolés 😔 Pouvez-vous nous écrire en message "
        "privé avec votre numéro de commande ? On s'en occupe tout de suite.",
        "Oh non {prenom} ! Ce n'est pas du tout l'expérience que nous voulons vous offrir. "
        "Écrivez-nous à bonjour@{site}, on vous renvoie une bougie.",
        "Bonjour {prenom}, merci de nous avoir signalé ce problème. Notre équipe vous "
        "recontacte aujourd'hui 🙏",
        "{prenom}, on est désolés pour ce retard. Un transporteur a eu des soucis cette "
        "semaine, on vous envoie le nouveau suivi en DM.",
    ),
    "brand_reply:neu": (
        "Bonjour {prenom} ! {produit} brûle environ {duree} 🙂",
        "Bonjour {prenom}, oui, toutes nos recharges sont sur {site}/recharges",
        "Hello {prenom} ! Plutôt boisée, avec {note} en fond 🕯️",
        "Bonjour {prenom}, nos pots se rapportent dans toutes nos boutiques, on les recharge "
        "sur place.",
        "Hello {prenom}, nous livrons en France, en Belgique, en Suisse et au Luxembourg 🙂",
    ),
    "brand_reply:pos": (
        "Merci {prenom} 🧡 ça nous fait tellement plaisir !",
        "Merci infiniment {prenom}, on transmet à toute l'équipe de l'atelier ✨",
        "Quelle belle photo {prenom} ! On peut la partager sur notre compte ? 📸",
        "Trop contents que {produit} vous plaise {prenom} 🕯️",
        "{prenom} merci pour ce message, ça illumine notre journée 🧡",
    ),
    "brand_reply:episode": (
        "Bonjour {prenom}, nous comprenons votre frustration. Nous avons publié une "
        "explication détaillée sur {site}/prix et nous lisons tous vos messages.",
        "{prenom}, merci pour votre franchise. Nous revenons vers vous très vite avec des "
        "réponses concrètes.",
        "Bonjour {prenom}, les commandes passées avant l'annonce restent à l'ancien prix.",
    ),
    "reply:pos": (
        "pareil, je l'adore",
        "trop d'accord",
        "elle est tellement belle ta photo",
        "ohhh elle est sublime",
        "je confirme, {produit} est incroyable",
        "grave ! je l'ai offerte à {proche}",
        "ton intérieur 😍",
        "tu me donnes envie",
        "la mienne arrive demain, trop hâte",
        "même avis, meilleure marque de bougies",
        "c'est trop joli chez toi",
        "ça donne envie de commander tout de suite",
    ),
    "reply:neg": (
        "pareil pour moi, {delai} d'attente",
        "idem, plus jamais",
        "c'est abusé oui",
        "même problème avec ma dernière commande",
        "tu n'es pas la seule, ça arrive souvent en ce moment",
        "complètement d'accord, {nouveau} c'est n'importe quoi",
        "j'ai annulé ma commande aussi",
        "voilà pourquoi j'ai arrêté",
        "honteux",
    ),
    "backlash_reply:neg": (
        "complètement d'accord",
        "+30% c'est du vol",
        "j'ai annulé ma commande aussi",
        "idem, je boycotte",
        "ils se moquent de nous",
        "c'est exactement ce que je me disais",
        "merci de relayer",
        "on est nombreux à penser pareil",
        "je vais me tourner vers {concurrent}",
        "{nouveau} pour une bougie, jamais de la vie",
        "et en plus les frais de port…",
        "la réponse du service client est encore pire",
        "pareil, je viens de voir mon panier passer de {ancien} à {nouveau}",
        "ils vont le regretter",
        "fidèle depuis 5 ans, c'est fini",
    ),
    "backlash_reply:neu": (
        "source ?",
        "ah bon ? je savais pas",
        "c'est officiel ?",
        "ils ont communiqué où ?",
        "ça concerne toute la gamme ?",
        "même les recharges ?",
        "quelqu'un a une capture de l'ancien prix ?",
    ),
    "reply:neu": (
        "tu l'as payée combien ?",
        "c'est quel parfum ?",
        "elle tient combien de temps ?",
        "tu l'as trouvée où ?",
        "c'est la grande ou la petite taille ?",
        "ah bon ? je savais pas",
        "source ?",
        "t'as eu une réponse du SAV ?",
    ),
    "reply:defend": (
        "moi j'ai jamais eu de souci perso",
        "faut arrêter, c'est des bougies artisanales, ça a un prix",
        "chacun ses goûts hein, moi je l'adore",
        "perso ma commande est arrivée en 2 jours",
        "le SAV m'a toujours bien répondu à moi",
    ),
    "reply:doubt": (
        "bof, je trouve que ça sent pas si fort",
        "perso je trouve ça cher pour une bougie",
        "la mienne a fait un tunnel direct",
        "c'est joli mais je suis pas convaincue",
    ),
    "reply:tag": (
        "@{ami} regarde",
        "@{ami} pour ton anniv 👀",
        "@{ami} on se fait une commande groupée ?",
        "@{ami} c'est celle dont je te parlais",
    ),
    "title:pos": (
        "Parfum incroyable", "Top !", "Je recommande", "Coup de cœur", "Parfait pour offrir",
        "Excellente qualité", "Livraison rapide et bougie sublime", "Fidèle depuis 3 ans",
        "Une tuerie", "Très satisfaite", "Rien à redire", "Au top",
    ),
    "title:neg": (
        "Déçue", "Jamais reçu ma commande", "Trop cher", "Service client absent",
        "Bougie arrivée cassée", "Qualité en baisse", "Plus jamais", "Arnaque",
        "Ne sent rien", "Livraison catastrophique", "Hausse des prix inadmissible",
    ),
    "title:neu": ("Correct", "Moyen", "Bien mais cher", "Peut mieux faire", "Bof", "Sans plus"),
    "app_title:pos": ("Appli pratique", "Super appli", "Efficace", "Simple et rapide", "Top"),
    "app_title:neg": ("Bug au paiement", "Plante sans arrêt", "Inutilisable", "Mise à jour ratée",
                      "Points fidélité perdus"),
    "app_title:neu": ("Peut mieux faire", "Correcte"),
    "reddit_title:pos": (
        "[Avis] {marque}, ma marque de bougies préférée", "Petite review de {produit}",
        "Mon haul bougies d'automne", "{marque} : pourquoi je ne changerai pas",
    ),
    "reddit_title:episode": (
        "{marque} augmente ses prix de 30%, vous en pensez quoi ?",
        "+30% chez {marque} : on boycotte ?", "[Coup de gueule] La hausse des prix {marque}",
    ),
    "reddit_title:neg": (
        "Problème de livraison avec {marque}", "{marque}, c'est devenu n'importe quoi",
        "SAV {marque} injoignable, des recours ?",
    ),
    "reddit_title:neu": (
        "{marque} ou {concurrent} ?", "Des avis sur {marque} ?", "Bougies made in France : "
        "vos recommandations ?", "Question sur les recharges {marque}",
    ),
    "video_title:pos": (
        "HAUL bougies d'automne 🍂 {marque}", "J'ai testé TOUTES les bougies {marque}",
        "Mon rituel cocooning du dimanche ft. {produit}", "Les meilleures bougies made in France",
    ),
    "video_title:episode": (
        "{marque} : +30%, ça passe pas", "Pourquoi j'arrête {marque} (la hausse des prix)",
    ),
    "video_title:neg": (
        "Pourquoi j'arrête {marque}", "{marque} vs {concurrent} : le comparatif honnête",
        "Mes déceptions bougies de l'année",
    ),
    "video_title:neu": ("{marque} vaut-il son prix ?", "Unboxing {marque} | {produit}"),
}
