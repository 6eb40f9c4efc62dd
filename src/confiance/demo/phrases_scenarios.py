"""Sentences for the crisis scenarios, keyed ``topic:sentiment`` like the demo's banks.

Three storylines: a slow boycott over the wax the candles are made of (``boycott*``), a
customer's viral photo of a candle that burst (``viral*``) and the Christmas shopping season
(``noel``, ``promo``). Slots as in :mod:`confiance.demo.phrases_fr`, plus ``{createur}``
(the customer whose post went viral, written the way each platform names people). The
sentiment of a key is the sentiment of every sentence under it, toward the brand.
"""

from __future__ import annotations

SCENARIO_FR: dict[str, tuple[str, ...]] = {
    # ------------------------------------------------------------------ boycott
    "boycott_call:neg": (
        "🚨 {marque} vend ses bougies comme « cire végétale » mais plusieurs références "
        "contiennent paraffine et cire de palme. On n'achète plus tant que la composition "
        "complète n'est pas publiée. #StopBougiesToxiques",
        "On a lu les fiches de sécurité des bougies {marque} : paraffine et huile de palme "
        "dans la gamme parfumée. Le « naturel », c'est du marketing. Boycott jusqu'à "
        "transparence totale #StopBougiesToxiques",
    ),
    "boycott_followup:neg": (
        "Leur « mise au point » ne dit pas d'où vient la cire des parfums d'intérieur ni ce "
        "qu'il y a dans les mèches. On continue. #StopBougiesToxiques",
        "Merci à toutes celles et ceux qui ont relayé. {marque} répond enfin mais sans les "
        "analyses complètes. Le boycott continue #StopBougiesToxiques",
    ),
    "boycott:neg": (
        "je viens d'apprendre que {marque} met de la paraffine dans ses bougies, moi qui "
        "pensais acheter du naturel",
        "paraffine = pétrole. Et on respire ça tous les soirs dans {piece}",
        "de la cire de palme chez {marque}… et les orangs-outans ils en pensent quoi",
        "« fabriqué en France » ok mais avec quoi exactement ?",
        "j'ai jeté mes deux bougies {marque}, hors de question de brûler de la paraffine chez moi",
        "on paie {prix} pour du pétrole parfumé, génial",
        "je boycotte {marque} tant qu'ils ne publient pas leurs analyses",
        "le greenwashing de {marque} me dégoûte",
        "{format} {produit} contient de la paraffine d'après la fiche, c'est écrit en tout petit",
        "tout leur discours sur la cire de colza et en fait c'est un mélange, super",
        "plus jamais de {marque} chez moi, je me sens trahie",
        "cire végétale mon œil",
        "je comprends mieux pourquoi mes murs noircissaient au-dessus de la bougie",
        "j'ai des enfants et un chat, je veux savoir ce qu'on respire quand on allume leurs "
        "bougies",
        "ils ont supprimé les commentaires qui parlaient de paraffine sous leur dernier post",
        "je l'offrais à tout le monde pour Noël, c'est terminé",
        "{marque} joue la carte artisanale et éthique, la réalité est moins jolie",
        "l'huile de palme dans une bougie « clean », fallait oser",
        "j'ai écrit au service client pour avoir la composition, réponse automatique",
        "je partage pour que tout le monde sache ce qu'il y a dans ces bougies",
        "acheter local pour finir avec de la paraffine, la blague",
        "mon asthme et les bougies {marque}, maintenant je comprends",
        "le silence de {marque} sur la paraffine est assourdissant",
    ),
    "boycott:neu": (
        "c'est vrai cette histoire de paraffine chez {marque} ?",
        "quelqu'un a la composition exacte des bougies {marque} ?",
        "c'est quoi le problème avec la cire de palme exactement ?",
        "{marque} a répondu quelque chose sur la paraffine ?",
        "je vois passer un hashtag sur {marque} depuis hier, il s'est passé quoi ?",
        "ça concerne toutes les bougies ou seulement les diffuseurs ?",
        "c'est écrit où que c'est de la paraffine ? sur l'étiquette ?",
        "vous savez si {produit} est concernée ?",
        "y a des sources fiables sur ce boycott ?",
    ),
    "boycott:pos": (
        "j'ai visité l'atelier de {marque} en Touraine, la cire de colza je l'ai vue de mes yeux",
        "avant de relayer un hashtag, lisez leur page composition, tout y est",
        "les bougies {marque} sont les plus transparentes que je connaisse, ce boycott est "
        "ridicule",
        "je continue d'acheter {marque}, ils ont toujours été clairs sur leurs ingrédients",
        "j'ai fait le tour de leur site, la composition de chaque bougie est affichée",
        "j'ai demandé la fiche au SAV {marque}, réponse en une heure avec tout le détail",
        "perso je fais confiance à {marque}, une petite marque qui fabrique en France",
    ),
    "boycott_after:neg": (
        "on veut la composition complète, pas un communiqué",
        "c'est pas une réponse ça",
        "et les diffuseurs ? le solvant végétal c'est quoi exactement ?",
        "un labo payé par la marque, on va faire confiance bien sûr",
        "trop tard, la confiance est partie",
        "ils répondent au bout de deux jours, ça sent la panique",
    ),
    "boycott_after:neu": (
        "quelqu'un a lu les analyses qu'ils ont publiées ?",
        "le labo est vraiment indépendant ?",
        "ok donc c'est seulement les diffuseurs qui ont un solvant ?",
    ),
    "boycott_after:pos": (
        "leur réponse est claire et les analyses sont en ligne, je reste cliente",
        "ils ont publié les analyses, lisez-les avant de relayer",
        "merci pour la réponse claire {marque}",
        "composition publiée, labo indépendant : fin du débat pour moi",
        "bravo pour la transparence, peu de marques le font",
    ),
    "boycott_switch:neg": (
        "je passe chez {concurrent}, au moins leur cire de soja est certifiée",
        "bye {marque}, je vais chez {concurrent} qui affiche sa composition",
        "vous conseillez quoi à la place de {marque} ? sans paraffine cette fois",
        "commande annulée chez {marque}, je teste {concurrent}",
    ),
    "boycott_reply:neg": (
        "merci de relayer, personne n'en parle",
        "je boycotte aussi",
        "dégoûtée, j'en ai trois dans mon salon",
        "ils vont devoir s'expliquer",
        "c'est toujours la même histoire avec le greenwashing",
        "je partage",
        "merci pour l'info, je savais pas",
        "trop tard j'en ai acheté la semaine dernière 😩",
        "honteux de mentir comme ça aux clients",
        "et leurs diffuseurs alors ?",
        "plus jamais",
    ),
    "boycott_reply:neu": (
        "source ?",
        "t'as le lien vers la fiche ?",
        "c'est pour toute la gamme ?",
        "ils ont répondu ?",
        "faudrait une analyse indépendante pour trancher",
        "ça date de quand cette info ?",
        "c'est quelle gamme exactement ?",
    ),
    "boycott_reply:pos": (
        "vérifiez avant de relayer, leur cire est du colza",
        "j'ai la fiche sous les yeux, pas de paraffine",
        "je reste fidèle, aucun doute sur leur sérieux",
        "chez moi aucune suie en 3 ans, leurs bougies sont nickel",
    ),
    "brand_boycott:neu": (
        "Depuis deux jours, des messages affirment que nos bougies contiennent de la "
        "paraffine et de la cire de palme. Nos bougies sont coulées en cire de colza "
        "française ; seuls nos diffuseurs contiennent un solvant d'origine végétale. Nous "
        "publions aujourd'hui la composition complète de chaque référence et les analyses "
        "d'un laboratoire indépendant sur {site}/composition.",
    ),
    "brand_boycott_x:neu": (
        "Non, nos bougies ne contiennent ni paraffine ni cire de palme : cire de colza "
        "française, mèche en coton. Composition complète de chaque référence et analyses d'un "
        "labo indépendant sur {site}/composition",
    ),
    "brand_reply:boycott": (
        "Bonjour {prenom}, nous comprenons votre inquiétude. La composition complète de "
        "chaque bougie et les analyses du laboratoire sont sur {site}/composition.",
        "{prenom}, merci pour votre question. Nos bougies sont en cire de colza, sans "
        "paraffine ni palme : tout est détaillé sur {site}/composition.",
        "Bonjour {prenom}, nous répondons à toutes les questions sur la composition en "
        "message privé, n'hésitez pas à nous écrire.",
    ),
    # ------------------------------------------------------------------ viral post
    "viral_post:neg": (
        "Ma bougie {marque} a EXPLOSÉ ce soir. Le pot s'est fendu d'un coup, la cire "
        "enflammée a coulé sur la table et l'a brûlée. J'étais dans la pièce, heureusement. "
        "Je tremble encore 😨",
        "Voilà ce qu'il reste de ma table après 2h de bougie {marque} : le verre a éclaté et "
        "tout a pris feu. J'étais à 2 mètres. Je n'ose pas imaginer si j'étais sortie.",
    ),
    "viral_update:neg": (
        "Update : {marque} m'a contactée en privé, ils récupèrent le pot pour analyse. Pour "
        "celles qui demandent : bougie posée sur un dessous de plat, mèche coupée, jamais "
        "laissée seule.",
        "Pour répondre à tout le monde : non je ne l'avais pas laissée seule, oui la mèche "
        "était coupée. J'attends les explications de {marque}.",
    ),
    "viral_reply:neg": (
        "mais c'est hyper dangereux 😱",
        "j'ai exactement la même sur ma table de nuit, je l'éteins direct",
        "heureusement que tu étais là, ça aurait pu être un incendie",
        "je jette les miennes ce soir",
        "ça fait froid dans le dos",
        "mon dieu ta table…",
        "{marque} vous avez intérêt à réagir vite",
        "et dire que j'en allume une tous les soirs",
        "il faut rappeler tout le lot là",
        "c'est pas normal qu'un pot éclate comme ça",
        "plus jamais je laisse une bougie {marque} allumée",
        "j'ai eu un verre fendu le mois dernier, je pensais que c'était moi",
        "signalez-le à la DGCCRF",
        "tu devrais porter plainte franchement",
        "courage, quelle frayeur",
        "ils vendent ça à {prix} et ça explose",
    ),
    "viral_reply:neu": (
        "c'est quel modèle ?",
        "elle était allumée depuis combien de temps ?",
        "tu l'avais posée sur quoi ?",
        "c'est quelle taille de pot ?",
        "tu as gardé le numéro de lot ?",
        "ils t'ont répondu ?",
        "c'est arrivé comment exactement ?",
        "on sait si d'autres ont eu le problème ?",
    ),
    "viral_defend:pos": (
        "j'en brûle depuis 4 ans, jamais eu le moindre souci avec {marque}",
        "ça reste un accident isolé, leurs bougies sont top",
        "perso toutes mes bougies {marque} se sont très bien comportées",
        "je leur fais confiance pour régler ça, le SAV a toujours été super avec moi",
        "j'ai fini une dizaine de bougies {produit}, zéro problème",
        "{marque} a toujours été sérieux, attendons leur analyse",
    ),
    "viral:neg": (
        "vous avez vu la bougie {marque} qui a explosé chez {createur} ? je débranche tout",
        "après la photo de {createur} je n'allume plus aucune bougie {marque}",
        "une bougie qui explose et une table brûlée, {marque} va devoir s'expliquer",
        "j'ai retourné mes pots {marque} pour vérifier le lot, pas rassurée",
        "la photo de {createur} avec la bougie {marque} 😳 ça fait peur",
        "les bougies {marque} qui éclatent, c'est le deuxième cas que je vois",
        "je rapporte mes bougies {marque} en boutique demain",
        "j'avais offert {format} {produit} à {proche}, je lui ai dit de ne plus l'allumer",
        "un pot qui éclate au bout de 2h c'est un défaut de fabrication",
        "la photo de {createur} fait le tour des réseaux, je comprends pas qu'on vende ça",
    ),
    "viral:neu": (
        "quelqu'un sait si {marque} a réagi pour la bougie qui a explosé ?",
        "c'est quoi cette histoire de bougie {marque} qui a explosé ?",
        "on sait quel lot est concerné pour la bougie {marque} ?",
        "ça arrive souvent qu'un pot de bougie éclate ?",
        "les conseils de sécurité pour les bougies, quelqu'un a un lien ?",
    ),
    "viral:pos": (
        "une photo virale et tout le monde jette ses bougies {marque}… la mienne va très bien",
        "toutes mes bougies {marque} brûlent parfaitement depuis des années",
    ),
    "viral_thread:neg": (
        "exactement",
        "tellement d'accord",
        "+1, ça fait peur",
        "faut arrêter de les défendre, une table a brûlé",
        "accident isolé ou pas, c'est grave",
        "tu dirais pas ça si c'était ta table",
    ),
    "viral_thread:neu": (
        "t'as une source ?",
        "d'autres cas ont été signalés ?",
        "on attend quoi ?",
    ),
    "viral_thread:pos": (
        "attendons l'analyse avant de juger la marque",
        "faut pas généraliser, leurs bougies sont top",
        "ils ont répondu super vite, c'est plutôt rassurant",
    ),
    "viral_after:pos": (
        "{marque} a réagi vite, je trouve ça plutôt rassurant",
        "j'adore toujours {marque}, un accident ça arrive, leur réaction est exemplaire",
        "réponse rapide et claire, merci {marque}",
        "bien de retirer le lot, c'est responsable",
        "voilà une marque qui assume, je reste cliente",
    ),
    "viral_after:neg": (
        "et les autres lots ? on fait comment ?",
        "un communiqué ne répare pas une table brûlée",
        "vous auriez dû tester vos pots avant",
        "trop tard, j'ai perdu confiance",
    ),
    "viral_after:neu": (
        "comment on sait si notre bougie est du lot concerné ?",
        "on peut rapporter en boutique ou il faut renvoyer par la poste ?",
        "le numéro de lot est écrit où ?",
    ),
    "brand_reply:viral": (
        "{prenom}, nous sommes profondément désolés et soulagés que vous n'ayez rien. Nous "
        "vous écrivons en privé tout de suite pour récupérer le pot et prendre en charge les "
        "dégâts.",
        "Bonjour {prenom}, merci de nous avoir alertés. Nous prenons cela très au sérieux : "
        "notre équipe qualité vous contacte ce soir.",
    ),
    "brand_viral:neu": (
        "Hier soir, une cliente a partagé la photo d'une de nos bougies dont le pot a éclaté. "
        "Nous l'avons contactée et récupérons le pot pour analyse. Par précaution, nous "
        "retirons de la vente le lot de verres concerné et remplaçons gratuitement toute "
        "bougie de ce lot. Les détails et la liste des lots sont sur {site}/lots.",
    ),
    "brand_viral_x:neu": (
        "Suite à la photo partagée hier soir : nous retirons par précaution le lot de verres "
        "concerné et remplaçons gratuitement toute bougie de ce lot. Liste des lots et "
        "détails sur {site}/lots",
    ),
    # ------------------------------------------------------------------ Christmas season
    "noel:pos": (
        "coffret de Noël {marque} commandé pour toute la famille, trop contente",
        "les cadeaux de Noël sont faits ! {format} {produit} pour {proche}",
        "le calendrier de l'Avent {marque} est une merveille, une surprise par jour",
        "papier cadeau offert et emballage trop joli, Noël est réglé",
        "la collection de Noël sent incroyablement bon, {produit} surtout",
        "{produit} allumée, sapin fait, musique de Noël : la magie opère",
        "j'ai trouvé le cadeau parfait pour {proche}, merci {marque}",
        "commande de Noël reçue en {rapide}, tout est parfait",
        "la boutique de Noël de {boutique} est magnifique",
        "meilleure idée cadeau de l'année, le coffret découverte",
        "cette année tout le monde aura une bougie {marque} sous le sapin",
        "les éditions de Noël sont sublimes, j'ai craqué pour trois",
        "le petit mot manuscrit dans le colis de Noël, trop mignon",
        "le coffret {produit} + {produit2} pour {occasion}, succès garanti",
        "{note} pour les fêtes, c'est exactement l'odeur qu'il faut",
        "Secret Santa au bureau : {produit} a fait l'unanimité",
    ),
    "noel:neu": (
        "si je commande le 18 décembre c'est livré avant Noël ?",
        "idées cadeaux pour {proche} chez {marque} ? budget 40€",
        "le calendrier de l'Avent {marque} vaut le coup ?",
        "c'est quoi la date limite pour une livraison avant Noël ?",
        "{produit} ou le coffret découverte pour Noël ?",
        "les boutiques {marque} sont ouvertes le dimanche en décembre ?",
        "il reste des coffrets de Noël en boutique ?",
        "on peut ajouter un message cadeau à la commande ?",
        "la collection de Noël est sortie ?",
        "vous offrez quoi comme bougie à Noël cette année ?",
    ),
    "noel:neg": (
        "commandé le 2 décembre et toujours rien, j'espère que ça arrive avant Noël",
        "coffret de Noël en rupture partout, c'est frustrant",
        "le calendrier de l'Avent est arrivé avec deux cases vides",
        "livraison annoncée avant Noël, le suivi n'a pas bougé depuis {delai}",
        "une heure de queue à {boutique}, l'enfer des fêtes",
        "mon colis de Noël est arrivé écrasé, le pot était fendu",
        "impossible de joindre le service client en décembre",
        "plus de papier cadeau disponible sur le site, dommage",
    ),
    "promo:pos": (
        "-20% pour le Black Friday chez {marque}, j'ai fait le stock pour l'hiver",
        "Black Friday : {produit} à -20%, je n'ai pas résisté",
        "les promos de fin d'année {marque} sont vraiment intéressantes",
        "code promo de Noël utilisé, {produit} et {produit2} dans le panier",
    ),
    "promo:neu": (
        "il y aura des promos {marque} pour le Black Friday ?",
        "le -20% marche aussi sur les coffrets ?",
        "les promos de Noël commencent quand chez {marque} ?",
    ),
    "brand_noel:pos": (
        "Le calendrier de l'Avent est de retour : 24 petites bougies, 24 parfums 🎄",
        "Notre guide des cadeaux de Noël est en ligne : une bougie pour chaque personne de "
        "votre liste 🎁",
        "Commandez avant le 19 décembre pour une livraison avant Noël 🎄 Papier cadeau offert",
        "Nos boutiques sont ouvertes tous les dimanches de décembre ✨",
        "{produit} en édition de Noël, coulée à la main dans notre atelier de Touraine 🕯️",
        "Le coffret {produit} + {produit2} est de retour pour les fêtes 🎁",
    ),
    # ------------------------------------------------------------------ titles
    "title:boycott_neg": (
        "Paraffine cachée",
        "Greenwashing",
        "Je ne commande plus",
        "Composition mensongère",
        "Déçue par leur discours",
        "Pas si naturel",
    ),
    "title:boycott_pos": ("Marque transparente", "Rien à cacher", "Toujours fidèle"),
    "title:boycott_neu": ("Des questions sur la composition", "En attente de réponses"),
    "title:viral_pos": ("Aucun problème chez moi", "Toujours fidèle"),
    "title:viral_neg": (
        "Dangereux",
        "Pot qui éclate",
        "Défaut de sécurité",
        "Plus jamais",
        "Inquiétant",
    ),
    "title:noel_pos": (
        "Parfait pour Noël",
        "Cadeaux réussis",
        "Calendrier de l'Avent génial",
        "Coffret magnifique",
        "Noël réussi",
    ),
    "title:noel_neg": (
        "Pas reçu avant Noël",
        "Colis de Noël abîmé",
        "Rupture de stock",
        "Livraison en retard",
    ),
    "reddit_title:boycott_neg": (
        "{marque} et la paraffine : le boycott est-il justifié ?",
        "[Coup de gueule] Le greenwashing de {marque}",
    ),
    "reddit_title:boycott_neu": (
        "{marque} et la paraffine, info ou intox ?",
        "Quelqu'un a la composition des bougies {marque} ?",
    ),
    "reddit_title:boycott_pos": (
        "Boycott {marque} : j'ai lu leurs analyses, voilà ce qu'il en est",
    ),
    "reddit_title:viral_neg": (
        "Bougie {marque} qui explose : vous avez eu des soucis ?",
        "Pot de bougie {marque} éclaté, des recours ?",
    ),
    "reddit_title:viral_neu": ("La bougie {marque} qui a explosé, c'est normal ?",),
    "reddit_title:viral_pos": ("Bougie qui explose : {marque} a bien réagi",),
    "reddit_title:noel_pos": ("Mes cadeaux de Noël bougies cette année",),
    "reddit_title:noel_neu": (
        "Idées cadeaux bougies pour Noël ?",
        "Livraison avant Noël chez {marque} ?",
    ),
    "reddit_title:noel_neg": ("Commande de Noël {marque} pas arrivée, vos expériences ?",),
    "video_title:boycott_neg": (
        "{marque} : la vérité sur leurs bougies « naturelles »",
        "Paraffine, palme : j'ai enquêté sur {marque}",
    ),
    "video_title:noel_pos": (
        "GUIDE CADEAUX NOËL 🎄 bougies {marque}",
        "J'ouvre le calendrier de l'Avent {marque}",
    ),
    "video_title:noel_neu": ("Quel calendrier de l'Avent bougies choisir ?",),
}

SCENARIO_EN: dict[str, tuple[str, ...]] = {
    "boycott:neg": (
        "just found out {marque} candles contain paraffin. So much for plant wax",
        "paraffin and palm wax in a « clean » candle, the greenwashing is wild",
        "binned my {marque} candles, not burning petroleum in my flat",
        "not buying from {marque} until they publish the full ingredient list",
        "{marque} deleted comments asking about paraffin, that says it all",
    ),
    "boycott:neu": (
        "is this paraffin thing about {marque} true?",
        "does anyone have the full ingredient list for {marque} candles?",
        "what's the hashtag about {marque} all about?",
    ),
    "boycott:pos": (
        "their wax is rapeseed, it's on their website, check before sharing",
        "still buying {marque}, they've always been transparent",
        "their wax is listed on every product page, no paraffin",
    ),
    "boycott_switch:neg": (
        "switching to {concurrent}, at least their soy wax is certified",
        "cancelled my {marque} order, trying {concurrent} instead",
    ),
    "boycott_reply:neg": (
        "sharing this",
        "boycotting too",
        "disgusting",
        "had no idea, thanks",
        "that's not an answer",
    ),
    "boycott_reply:neu": ("source?", "which range is it?", "did they reply?"),
    "boycott_reply:pos": ("check their website before sharing", "still trust them tbh"),
    "boycott_after:neg": ("that's not an answer", "a lab paid by the brand, sure"),
    "boycott_after:neu": ("has anyone read the lab results?",),
    "boycott_after:pos": (
        "{marque} published independent lab results, good enough for me",
        "thanks for the clear answer",
    ),
    "brand_reply:boycott": (
        "Hi {prenom}, our candles are rapeseed wax with no paraffin or palm. The full list "
        "and lab results are on {site}/composition.",
    ),
    "viral_reply:neg": (
        "that's so dangerous 😱",
        "I have the exact same one on my nightstand, never again",
        "glad you were there, that could have been a fire",
        "throwing mine out tonight",
        "{marque} need to recall that batch",
    ),
    "viral_reply:neu": (
        "which one is it?",
        "how long had it been lit?",
        "do you have the batch number?",
    ),
    "viral_defend:pos": (
        "been burning {marque} for years, never had an issue",
        "sounds like a one-off, their candles are great",
    ),
    "viral:neg": (
        "did you see the {marque} candle that exploded on {createur}'s table? terrifying",
        "not lighting any {marque} candle after that photo",
        "a jar that shatters after two hours is a manufacturing defect",
    ),
    "viral:neu": (
        "has {marque} said anything about the exploding candle?",
        "which batch is affected?",
    ),
    "viral:pos": ("my {marque} candles have always burned perfectly",),
    "viral_thread:neg": ("exactly", "this is so scary", "stop defending them, a table burnt"),
    "viral_thread:neu": ("source?",),
    "viral_thread:pos": ("let's wait for the analysis before judging",),
    "viral_after:pos": (
        "quick and clear answer, thank you {marque}",
        "{marque} reacted fast, honestly reassuring",
    ),
    "viral_after:neg": ("a statement won't fix a burnt table", "what about the other batches?"),
    "viral_after:neu": ("where do I find the batch number?",),
    "noel:pos": (
        "Christmas shopping done! {format} {produit} for {proche}",
        "the {marque} advent calendar is gorgeous, a surprise every day",
        "free gift wrapping and it looks amazing",
        "the Christmas collection smells incredible",
        "everyone's getting a {marque} candle this year",
    ),
    "noel:neu": (
        "if I order on the 18th will it arrive before Christmas?",
        "gift ideas for {proche} from {marque}?",
        "is the {marque} advent calendar worth it?",
        "what's the last order date for Christmas delivery to the UK?",
    ),
    "noel:neg": (
        "ordered on December 2nd and still nothing, hope it makes it for Christmas",
        "Christmas gift set sold out everywhere",
        "my Christmas parcel arrived crushed",
    ),
    "promo:pos": (
        "20% off for Black Friday, stocked up for winter",
        "Black Friday deal on {produit}, couldn't resist",
    ),
    "promo:neu": ("will {marque} do a Black Friday sale?",),
    "shop:pos": (
        "popped into the {marque} shop, the staff were lovely",
        "the smell when you walk into the {marque} shop 🥹",
    ),
    "title:boycott_neg": ("Not so natural", "Greenwashing"),
    "title:boycott_pos": ("Transparent brand",),
    "title:boycott_neu": ("Questions about ingredients",),
    "title:viral_pos": ("No problem here",),
    "title:viral_neg": ("Dangerous", "Jar shattered"),
    "title:noel_pos": ("Perfect Christmas gift", "Lovely advent calendar"),
    "title:noel_neg": ("Didn't arrive for Christmas", "Parcel damaged"),
    "reddit_title:boycott_neg": ("{marque} and paraffin: is the boycott fair?",),
    "reddit_title:boycott_neu": ("{marque} paraffin claims, true or not?",),
    "reddit_title:viral_neg": ("{marque} candle exploded, anyone else?",),
    "reddit_title:viral_neu": ("Is a candle jar shattering normal?",),
    "reddit_title:noel_neu": ("Candle gift ideas for Christmas?",),
    "video_title:noel_pos": ("Christmas candle gift guide 🎄 {marque}",),
}

BANKS_SCENARIOS: dict[str, dict[str, tuple[str, ...]]] = {"fr": SCENARIO_FR, "en": SCENARIO_EN}
"""The scenario banks by language; other languages are not used for scenario items."""

SIDES: dict[str, dict[str, tuple[str, ...]]] = {
    "boycott": {
        "neg": ("boycott", "boycott", "boycott_switch"),
        "neu": ("boycott",),
        "pos": ("boycott",),
    },
    "viral": {"neg": ("viral", "viral_reply"), "neu": ("viral",), "pos": ("viral_defend",)},
    "noel": {
        "neg": ("noel", "delivery"),
        "neu": ("noel", "gift", "question"),
        "pos": ("noel", "noel", "gift", "scent", "quality"),
    },
    "promo": {"neg": ("price",), "neu": ("promo", "noel"), "pos": ("promo", "noel", "gift")},
}
"""Topics a second or third sentence is drawn from, by storyline family and sentiment."""

EXTRA_TAGS: dict[str, dict[str, tuple[str, ...]]] = {
    "noel": {
        "fr": ("Noël", "idéecadeau", "cadeaudenoel", "calendrierdelavent"),
        "en": ("christmasgifts", "giftideas", "christmas"),
    },
    "promo": {"fr": ("BlackFriday", "bonplan"), "en": ("BlackFriday",)},
}
"""Hashtags people add to seasonal posts."""

BOYCOTT_HASHTAG = "StopBougiesToxiques"
"""The hashtag of the boycott scenario."""
BOYCOTT_TAG_CHANCE = {"neg": 0.6, "neu": 0.3, "pos": 0.2}
"""How often a boycott post carries the hashtag, by sentiment (replies a third as often)."""
WHOLE = frozenset({"boycott_call", "boycott_followup", "viral_post", "viral_update"})
"""Topics whose sentence is posted as written: one sentence, no opener, closer or slang."""
