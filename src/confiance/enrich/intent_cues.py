"""The cue lists of ``confiance.intent.v1``: the patterns, their groups and weights.

Patterns are written against folded text: lower case, no accents, hyphens as
spaces, single spaces. Informal French spellings are spelled out next to the standard ones.

``intent.py`` compiles them into per-language scanners and scores the groups found.
"""

from __future__ import annotations

from typing import Final

_JE = r"(?:je |j'|j ?)"
_PAS = r"(?:pas|pa)"
_TJRS = r"(?:toujours|toujour|tjrs|tjs|tjr)"
_JAMAIS = r"(?:jamais|jamai|jms)"
_RECU = (r"(?:recu|recue|recus|recues|arrive|arrivee|arrives|arrivees|livre|livree|livres"
         r"|livrees)")
POURQUOI = r"(?:pourquoi|pourkoi|pkoi|pk|pq|prq)"
_OBJ = r"(?: (?:le|la|les|me|en|bien|peut etre|surement|vite|enfin|bientot|tellement|trop" \
       r"|absolument|direct|finalement|sans doute|d'abord|aussi|quand meme))*"
_BUY_FR = (r"(?:acheter|achete|commander|prendre|offrir|reserver|souscrire|abonner|craquer"
           r"|passer commande|procurer|gouter|investir|(?:tester|essayer)(?! de| d'))")
_BUY_EN = (r"(?:buy|buying|order|ordering|purchase|purchasing|get|getting|book|booking|grab"
           r"|grabbing|pick up|picking up|switch|switching|subscribe|subscribing|sign up"
           r"|signing up|upgrade|upgrading|try|trying)")

# (group, language, patterns): "*" is shared by both languages.
RULES: list[tuple[str, str, list[str]]] = [
    # -- ironic formulas: a complaint on their own, and they silence the praise words.
    ("c_formula", "fr", [
        r"merci pour rien", r"bravo pour rien", r"merci du (?:foutage|mepris|cadeau empoisonne)",
        r"(?:j'adore|jadore|on adore|j'aime|jaime) (?:attendre|payer|poireauter|perdre"
        r"|me faire|etre (?:pris|traite|ignore)\w*|les retards?|quand (?:on|vous|mon|ma|mes))",
        r"quel (?:plaisir|bonheur) (?:d'attendre|de payer|de poireauter|d'etre)",
        r"rien de tel que (?:d'attendre|de payer)",
        r"(?:oh )?(?:genial|super|parfait|top|bravo|cool|trop bien|magnifique|felicitations)"
        r",? (?:encore|de nouveau|une fois de plus|comme d'hab\w*|comme toujours|a nouveau)",
        r"encore bravo", r"#sarcasme", r"#ironie",
    ]),
    ("c_formula", "en", [
        r"thanks (?:a lot )?for nothing", r"cheers for nothing", r"thank you for nothing",
        r"great job not", r"(?:i )?(?:just )?love (?:waiting|paying|being (?:charged|ignored"
        r"|put|kept|left|lied)|it when (?:my|you|the|a|your)|how (?:you|my|the|your))",
        r"nothing like (?:waiting|paying|being)",
        r"(?:oh )?(?:great|perfect|fantastic|wonderful|brilliant|awesome|lovely|nice|super)"
        r",? (?:another|again|once again|yet another|as usual|just what i needed"
        r"|now (?:my|the|it))",
        r"#sarcasm", r"/s", r"oh (?:great|perfect|fantastic|wonderful|brilliant|lovely|joy)",
    ]),
    # -- negations, read before the words they negate.
    ("pos_neg", "fr", [
        r"(?:plus jamais sans|je ne peux plus m'en passer|je peux plus m'en passer"
        r"|jamais (?:ete )?decue?s?|pas (?:du tout )?decue?s?"
        r"|jamais eu (?:de |d'|aucun\w* |le moindre )(?:souci|soucis|probleme|problemes|pb)"
        r"|aucun regret|rien a redire|rien a dire|rien a jeter|que du positif"
        r"|jamais (?:en )?retard|toujours a l'heure|zero (?:souci|probleme|defaut|bug)s?)",
        # a problem word that was solved
        r"(?:probleme|souci|pb|bug|panne)s? (?:regle|resolu|corrige|repare)e?s?",
        r"(?:a|ont|avez|as) (?:vite |rapidement |tout de suite |bien )?(?:regle|resolu|corrige"
        r"|repare) (?:mon|le|ma|mes|notre|nos|ce) (?:probleme|souci|pb|bug|panne)s?",
    ]),
    ("pos_neg", "en", [
        r"never disappoint\w*", r"not disappointed", r"(?:wasn't|was not|won't be|weren't)"
        r" disappointed", r"no complaints", r"can'?t complain", r"cannot complain",
        r"nothing to complain about", r"no regrets", r"never (?:had|have) (?:a|an|any) (?:single )?"
        r"(?:problem|issue)s?", r"never late", r"always on time", r"can'?t live without",
        r"(?:can'?t|cannot) recommend (?:\w+ )?(?:highly )?enough",
        r"(?:problem|issue)s? (?:solved|fixed|sorted|resolved)",
        r"(?:solved|fixed|sorted|resolved|sorted out) (?:my|the|our|this) (?:problem|issue)s?",
    ]),
    ("neg_praise", "fr", [
        r"(?:pas|pa|plus|jamais|absolument pas|vraiment pas|pas du tout|pas tres|pas si"
        r"|pas super|pas vraiment|pas trop|pas franchement|loin d'etre) (?:top|au top|terrible"
        r"|ouf|genial\w*|super|bien|bon|bonne|bons|bonnes|satisfaite?s?|content\w*|ravie?s?"
        r"|fou|folichon|jojo|extra|glorieux|parfait\w*|efficace\w*|pro|professionnel\w*"
        r"|serieux|serieuse|recommandable|fameux|top top|a la hauteur|convaincue?s?|fan)",
        r"(?:je |j')?(?:ne |n')?(?:le |la |les |vous |l')?(?:recommande|conseille) (?:pas|plus"
        r"|absolument pas|vraiment pas|a personne|du tout)",
        r"(?:je |j'|j)?(?:n'|n )?(?:aime|aimons|adore|kiffe) (?:pas|plus|pas du tout|moyen)",
        r"(?:ne )?vaut (?:pas|rien|vraiment pas) (?:le coup|le prix|la peine)",
        r"pas fan", r"a eviter", r"a fuir",
    ]),
    ("neg_praise", "en", [
        r"not (?:very |that |so |too |really |at all )?(?:good|great|happy|impressed|satisfied"
        r"|pleased|worth (?:it|the)|recommended|the best|amazing|nice|ok|okay|acceptable|helpful"
        r"|cool|fun|perfect|fast|quick|as good|as described|a fan|amused)",
        r"(?:wouldn'?t|would not|don'?t|do not|won'?t|will not|couldn'?t|could not|can'?t"
        r"|cannot|no longer) recommend",
        r"(?:didn'?t|did not|don'?t|do not) (?:like|love|enjoy)", r"not a fan",
        r"no longer (?:happy|good|worth)",
    ]),
    ("ok_neg", "fr", [
        r"(?:aucun|pas de|sans|zero) (?:souci|probleme|pb|retard|soucis|problemes)",
    ]),
    ("ok_neg", "en", [r"no (?:problem|problems|issues|issue|trouble|hassle)"]),
    # -- politeness: consumed so that the « merci » inside does not count as praise.
    ("polite", "fr", [
        r"merci (?:d'avance|par avance|a l'avance|bien a vous|de votre comprehension"
        r"|de (?:bien vouloir|me|m'|nous|vous|faire|[a-z]+er\b|[a-z]+ir\b|revenir|repondre"
        r"|prendre|remettre|rendre|mettre))", r"d'avance merci", r"par avance merci",
        r"merci de votre (?:comprehension|patience)",
    ]),
    ("polite", "en", [
        r"thanks? (?:you )?in advance", r"thanks for (?:your )?(?:understanding|reading)",
        r"tia", r"best regards", r"kind regards", r"best wishes", r"please",
    ]),
    # -- a contrast marker keeps genuine praise next to a complaint.
    ("contrast", "fr", [
        r"mais", r"par contre", r"cependant", r"pourtant", r"toutefois", r"neanmoins",
        r"en revanche", r"sauf que", r"sauf", r"hormis", r"meme si", r"malgre", r"dommage que",
        r"(?:seul|petit|un petit) bemol", r"bemol", r"seul (?:point )?(?:negatif|defaut)",
        r"a part (?:ca|le|la|les)", r"sinon",
    ]),
    ("contrast", "en", [
        r"but", r"however", r"although", r"though", r"except", r"even though", r"even if",
        r"despite", r"shame (?:that|about)", r"only (?:downside|issue|problem|complaint|thing"
        r"|gripe)", r"apart from", r"aside from", r"other than that", r"otherwise",
    ]),
    # -- complaint cues that stand on their own.
    ("c_strong", "fr", [
        rf"{_JAMAIS} (?:ete |etait |rien )?{_RECU}",
        rf"(?:{_PAS}|rien|toujours rien|non|jamais) {_RECU}",
        rf"{_TJRS} (?:{_PAS}|rien|aucun\w*|sans|en attente|bloquee?s?|en retard)",
        r"en retard", r"retard\w*",
        r"(?<!satisfait ou )(?<!satisfaite ou )rembours\w*",
        r"cass(?:e|ee|es|ees)", r"abim\w+", r"defectu\w+", r"defaut de fabrication",
        r"defaillan\w+", r"endommag\w+", r"dechir\w+", r"fissur\w+",
        r"arnaqu?\w*", r"escro\w+", r"voleurs?", r"c'est du vol", r"fraud\w+",
        r"(?:la )?honte", r"honteu\w+", r"scandal\w+", r"inadmissible", r"inacceptable",
        r"intolerable", r"lamentable", r"pitoyable", r"minable", r"deplorable", r"epouvantable",
        r"catastroph\w+", r"horrible\w*", r"affreu\w+", r"decu", r"decue", r"decus", r"decues",
        r"deg", r"decevant\w*", r"deception\w*", r"degout\w*", r"degueu\w*", r"immonde",
        r"injoignable\w*", r"impossible (?:a|de|d') (?:joindre|contacter|(?:me |se |vous )?"
        r"(?:connecter|faire rembourser)|avoir (?:quelqu'un|qqn|un conseiller|une reponse)"
        r"|payer|commander|annuler|resilier|acceder|obtenir|recuperer|modifier|telecharger"
        r"|utiliser|joindre)",
        r"personne (?:ne )?(?:repond|decroche|rappelle)\w*",
        r"(?:ne )?(?:repondez|repondent|repond|rappelez|rappelle|rappellent|decroche"
        r"|decrochez)(?: meme)? (?:pas|pa|jamais|plus)",
        r"aucune? (?:reponse|retour|nouvelle|nouvelles|solution|suivi|info|explication|avoir)",
        r"(?:pas|jamais|jamais eu|pas eu) (?:de |d')(?:reponse|retour|nouvelles|solution"
        r"|explication)",
        r"sans (?:reponse|nouvelles|aucune \w+|explication)",
        r"litige\w*", r"reclamation\w*", r"plainte", r"mediateur", r"signal ?conso",
        r"que choisir", r"60 millions",
        rf"(?:ne |n')?(?:marche|marchent|fonctionne|fonctionnent|charge|s'allume|demarre"
        rf"|s'ouvre|se connecte|s'affiche|se lance|passe) (?:{_PAS}|plus|jamais|mal|toujours pas"
        rf"|tjrs pas|tjs pas)",
        r"bug\w*", r"beug\w*", r"crash\w*",
        r"(?:appli|application|site|app|ca|sa|tout|jeu|telephone|box|logiciel|ordi) (?:plante|rame"
        r"|freeze|beug\w*|bug\w*)\w*",
        r"plus jamais", r"jamais plus", r"#jamaisplus",
        r"en panne", r"hors service", r"hs",
        r"(?:pas|non) conforme", r"mauvaise? (?:article|produit|modele|taille|colis|commande"
        r"|couleur|pointure|adresse)",
        r"(?:n'|n )?(?:arrive|arrivons|arrivent) (?:pas|plus|toujours pas|jamais) a (?:me |nous |"
        r"vous |se )?(?:connecter|acceder|payer|joindre|contacter|recuperer|telecharger|activer"
        r"|valider|commander|ouvrir|utiliser|modifier|annuler|avoir|obtenir|resilier)",
        r"pas (?:le bon|la bonne|les bons|les bonnes)"
        r" (?:article|produit|modele|taille|colis|commande|couleur|pointure)",
        r"erreur (?:de|dans (?:la|ma)) (?:commande|livraison|facturation|taille|prelevement"
        r"|facture)",
        r"(?:preleve|debite|facture)e?s? (?:deux|2|3|trois) fois", r"double (?:prelevement|debit)",
        r"(?:colis|commande|paquet|valise|bagage)s? (?:perdu|egare|introuvable|vole"
        r"|disparu)e?s?",
        r"(?:marque|indique|declare|affiche|note)e?s? (?:comme )?livree?s?",
        r"perimee?s?", r"moisie?s?", r"avariee?s?",
        r"(?:arrive|livre|recu)e?s? (?:toute )?froide?s?",
        r"(?:pizza|burger|plat|repas|frites|sushis?|nems|commande)s? (?:toute )?froide?s?",
        r"reaction allergique", r"irrit\w+", r"brulures?",
        r"foutage de gueule", r"vous (?:vous )?(?:foutez|moquez) de", r"on se (?:fout|moque) de",
        r"se fout(?:re)? de (?:nous|moi|la gueule)", r"c'est une blague", r"c une blague",
        r"c(?:'est| est|est|) (?:quoi|koi) (?:ce|ces|cette) (?:delire|bordel|binz|cirque|travail"
        r"|service|plan|truc|blague|frais|arnaque|histoire|comportement|attitude)",
        r"n'importe quoi", r"nimp\w*", r"nimporte quoi",
        r"ras le bol", r"(?:j'en ai|jen ai|j en ai|g) (?:marre|ras le bol|assez)", r"marre",
        r"nul", r"nulle(?! part)", r"nuls", r"nulles", r"naze", r"pourrie?s?", r"a chier",
        r"de merde",
        r"merdique", r"la pire", r"le pire", r"les pires", r"(?<!au )pire",
        r"incompeten\w+", r"mepris\w*", r"irrespectu\w+", r"malpoli\w*", r"desagreable\w*",
        r"on me (?:balade|raccroche|ment|prend pour)", r"raccroch\w+ au nez",
        r"(?:\d+|des|deux|trois) ?h(?:eures?)? (?:d'attente|au telephone|en ligne)",
        r"attente (?:interminable|de \d+)",
        r"(?:j'attends?|jattends?|j attends?|on attend|attendu|attendre) (?:toujours|encore|depuis"
        r"|\d+\w*|des (?:jours|semaines|mois|heures)|deux|trois|plus de)",
        r"(?:ca|sa) fait (?:\d+|deux|trois|quatre|cinq|une|un|plus d'une?) ?(?:h|jours?|semaines?"
        r"|mois|heures?|min|minutes?) (?:que|qu'|d'attente)",
        r"deconseill\w+", r"fuyez", r"evitez", r"boycott\w*",
        r"galere\w*", r"harcel\w+", r"arretez de (?:m'|me |nous )?(?:appeler|envoyer|spammer"
        r"|harceler|prelever|relancer)",
        r"(?:pas|plus|aucun|sans) (?:de )?(?:reseau|internet|connexion|wifi|tele"
        r"|tv|signal)", r"(?:plus|pas) d'internet", r"(?:j'en|jen) peux plus",
    ]),
    ("c_strong", "*", [r"#?fail", r"#?epic ?fail"]),
    ("c_strong", "en", [
        r"never (?:worked|works|work|arrived|received|came|got (?:it|my|the|them|a)|showed up"
        r"|delivered|turned up"
        r"|got delivered|got back)",
        r"(?:didn'?t|did not|hasn'?t|has not|haven'?t|have not|still haven'?t) (?:arrive\w*"
        r"|receive\w*|got|get|gotten|come|shown up|showed up|heard back|been delivered"
        r"|been refunded)",
        r"not (?:yet )?(?:received|delivered|arrived|refunded)",
        r"still (?:waiting|no |not|nothing|haven'?t|hasn'?t|don'?t|doesn'?t|can'?t|broken"
        r"|missing)",
        r"waiting (?:for|since|over) (?:\d+|a|an|two|three|four|five|several|weeks|days|months"
        r"|hours|ages|forever)\w*",
        r"refund\w*", r"money back", r"charge ?back",
        r"broken", r"broke", r"breaks?",
        r"damaged", r"defective", r"faulty", r"cracked", r"shattered", r"smashed", r"torn",
        r"scam\w*", r"rip ?off", r"ripped off", r"fraud\w*", r"stole\w*", r"thieves",
        r"disappoint\w*", r"let ?down",
        r"worst", r"terrible", r"horrible", r"awful", r"appalling", r"atrocious", r"dreadful",
        r"abysmal", r"disgust\w+", r"disgrace\w*", r"shameful", r"shame on you", r"pathetic",
        r"ridiculous", r"unacceptable", r"outrageous", r"useless", r"incompetent\w*", r"rude\w*",
        r"unprofessional", r"lousy", r"crap\w*", r"garbage", r"trash", r"rubbish", r"sucks?",
        r"joke of a", r"what a joke", r"is this a joke", r"are you kidding", r"you kidding me",
        r"no (?:reply|response|answer|one (?:answers|replies|responds|picks up|helps|gets back"
        r"|cares)|updates?|help)",
        r"(?:nobody|no one|noone) (?:answers|replies|responds|picks up|helps|gets back|cares"
        r"|can (?:help|explain|tell))",
        r"ignor(?:ed|ing) (?:my|me|us|our)",
        r"(?:doesn'?t|does not|don'?t|do not|won'?t|will not|didn'?t|did not|isn'?t|is not"
        r"|aren'?t|are not|wont|dont|doesnt) (?:work|working|load|loading|open|connect|turn on"
        r"|charge|start|fit)\w*",
        r"not working", r"stopped working", r"quit working", r"no longer works",
        r"keeps? (?:crashing|freezing|failing|dropping|disconnecting|breaking|cutting|logging)",
        r"(?:can'?t|cannot|unable to) (?:log ?in|login|sign in|connect|access|reach|get through"
        r"|contact|cancel|get a refund|pay|use)",
        r"(?:been )?trying to (?:reach|contact|get through|call|get hold of)",
        r"crash\w*", r"bug\w*", r"glitch\w*", r"outage\w*",
        r"(?:app|site|website|service|server|network|internet|wifi|system)s? (?:is |are |went "
        r"|has been |been )?down", r"down again",
        r"no (?:signal|internet|service|wifi|connection|network|power)",
        r"overcharg\w+", r"charged (?:me )?(?:twice|two times|double)", r"double charged",
        r"charged (?:me )?for (?:something|nothing)",
        r"hidden (?:fees|charges)",
        r"(?:arrived|came|delivered|always|again|so|very|hours|days|weeks) late", r"late again",
        r"late (?:delivery|deliveries|order|flight|train|refund)", r"delay\w*",
        r"lost (?:my|the|our) (?:package|parcel|luggage|bag|bags|order|suitcase|delivery)",
        r"wrong (?:item|size|order|product|address|colou?r|thing|package|parcel|delivery"
        r"|charge|amount|food|meal)",
        r"not as (?:described|advertised|pictured)", r"fake", r"counterfeit", r"expired",
        r"mou?ldy?", r"hair in", r"food poisoning", r"allergic reaction", r"rash",
        r"broke me out", r"breakouts?",
        r"never again", r"never (?:buying|ordering|using|shopping|flying|booking|going|coming)"
        r" (?:from|with|again|here|there)\w*", r"won'?t be (?:buying|ordering|using|back"
        r"|returning|coming back)",
        r"fed up", r"sick (?:and tired )?of", r"tired of", r"had enough",
        r"complain\w*", r"file a (?:claim|complaint|dispute)", r"dispute",
        r"boycott\w*", r"avoid (?:this|them|at all costs|like the plague)", r"stay away",
        r"do not (?:buy|order|use|book|trust)", r"don'?t (?:buy|order|use|book|trust|bother)",
        r"unhappy", r"dissatisfied", r"unsatisfied", r"frustrat\w+", r"annoy\w+", r"angry",
        r"furious", r"livid", r"pissed", r"upset", r"wtf",
        r"(?:hours?|\d+ ?(?:h|hrs?|minutes|mins)) on hold", r"on hold for", r"been on hold",
        r"(?:poor|bad) (?:service|quality|customer|support|communication|experience|product)",
        r"filthy", r"stop (?:sending|calling|spamming|emailing|texting|charging)",
    ]),
    # -- questions that need no question mark (unambiguous anywhere in the post).
    ("q_any", "fr", [
        r"est ce (?:que|qu')", r"esque", r"eske", r"qu'est ce", r"qu est ce", r"kesk\w*",
        r"keske", r"c'est quoi", r"c quoi", r"c koi", r"cest quoi",
        r"savez vous", r"vous savez (?:si|comment|quand|ou|pourquoi|quel\w*)",
        r"tu sais (?:si|comment|quand|ou|pourquoi)",
        r"(?:qqn|qq1|quelqu'un|quelqu un|kelkun|quelquun) (?:sait|saurait|a|aurait|connait"
        r"|peut|pourrait|d'autre|ici|pour)",
        r"je me (?:demande|demandais)", r"jme demande", r"des infos? (?:sur|concernant|svp|pour)",
        r"une idee (?:de|du|pour|si|sur)", r"pouvez vous", r"pourriez vous",
        r"(?:vous|vs) (?:pouvez|pourriez) (?:me |m'|nous )(?:dire|confirmer|renseigner|expliquer"
        r"|aider|indiquer)", r"puis je", r"peut on", r"peux tu", r"avez vous", r"auriez vous",
        r"y a t(?:'| )?il", r"ya t(?:'| )?il", r"y'a t(?:'| )?il",
        r"(?:serait|est) (?:il|ce) possible", r"(?:c'est|c|il est) possible de",
        r"comment (?:faire|on fait|je fais|ca se fait|ca marche|proceder|savoir|obtenir|contacter"
        r"|avoir)", r"(?:quelqu'un|qqn|qui) peut m'(?:aider|expliquer|eclairer|dire|renseigner)",
        r"petite question", r"une question", r"question (?:svp|:)",
        r"besoin d'(?:aide|infos?|un renseignement|une info)", r"renseignements?",
        r"(?:je voudrais|j'aimerais|je souhaiterais|je veux|j'aurais voulu) (?:savoir|connaitre"
        r"|avoir des (?:infos|informations|precisions))", r"savoir si",
    ]),
    ("q_any", "en", [
        r"does (?:anyone|anybody) know", r"(?:anyone|anybody) know", r"has (?:anyone|anybody)",
        r"(?:anyone|anybody) (?:tried|used|else|had)",
        r"is it possible", r"would it be possible", r"is there (?:a|any|anyway|an)",
        r"are there (?:any)", r"any (?:idea|ideas|news|update|updates|info|word|eta)",
        r"wondering (?:if|whether|when|why|how|what)", r"i wonder",
        r"(?:i'd|i would|i'd just) like to know", r"let me know (?:if|when|whether|how)",
        r"(?:can|could) (?:you|someone|anyone|somebody) (?:tell|help|explain|confirm|let me know"
        r"|advise|check)",
        r"quick question", r"i have a question", r"question about",
        r"need (?:some )?(?:help|info|advice)",
        r"how (?:do|does|can|long|much|many|to|would|should|is|are|come|often)",
        r"what(?:'s| is| are| does| do| did| time| size| kind of| type of)",
        r"which (?:one|size|shade|colou?r|plan|model|should)",
        r"when (?:is|are|will|does|do|can|did|would|should)",
        r"where (?:is|are|can|do|does|did|would|should)",
        r"why (?:is|are|does|do|did|can'?t|won'?t|isn'?t|hasn'?t|haven'?t|would|has|am|should)",
        r"who (?:do|should|can)",
    ]),
    # -- purchase intent asked as a question: both a purchase intent and a question.
    ("p_ask", "fr", [
        r"ou (?:l'|le |la |les )?(?:acheter|trouver|commander|se procurer|me procurer)",
        r"ou (?:est ce que |puis je |peut on |je peux |on peut )(?:l'|le |la |les )?"
        r"(?:acheter|trouver|commander)",
        r"(?:quel|kel|a quel) prix", r"prix ?\?", r"c'est quoi le prix", r"vous avez le prix",
        r"(?:combien|cb) (?:coute|coutent|ca coute|ca fait|c'est|vaut|valent|pour (?:le|la|les"
        r"|un|une)|le|la|les|l')\b",
        r"coutent? combien", r"(?:c'est|c|ca fait|ca coute|ca vaut|cest|sa coute) combien",
        r"(?:a|pour) combien(?! de| d')", r"tarifs? ?\?", r"quel tarif",
        r"vous (?:le |la |les |l')?(?:faites|fabriquez|proposez|avez|vendez) (?:aussi |encore )?"
        r"en (?:taille|\d+|xs|s|m|l|xl|xxl|noir|blanc|rouge|bleu|vert|rose|beige|gris|marron"
        r"|kaki|bordeaux|jaune|violet|dore|argent\w*|version|format|grand|petit|plus)",
        r"vous me conseillez (?:quoi|quel|quelle|lequel|laquelle|lesquels|plutot)",
        r"(?:lequel|laquelle|lesquels|lesquelles|quoi|quel|quelle) (?:choisir|prendre"
        r"|me conseillez|vous me conseillez|recommandez)",
        r"quelle (?:taille|pointure) (?:prendre|choisir|je prends|me conseillez|vous conseillez)",
        r"vous livrez (?:en|a|au|aux|dans|partout|le|la|les|a l'etranger)", r"livrez vous",
        r"vous expediez (?:en|a|au|aux)", r"expediez vous",
        r"il reste des (?:places|chambres|billets|tailles)", r"reste t il",
    ]),
    ("p_ask", "en", [
        r"where (?:can|do|could|should) (?:i|we|you|one) (?:buy|get|find|order|purchase"
        r"|pick up)", r"where to (?:buy|get|find|order)",
        r"should i (?:get|buy|order|go for|pick|choose|try|upgrade|switch)",
        r"which (?:one|size|shade|colou?r|plan|model|version) should i", r"is it worth",
        r"how much (?:is|are|does|do|for|would|will|it|to)", r"prices? ?\?", r"cost ?\?",
        r"what(?:'s| is) the (?:price|cost)",
        r"do you (?:ship|deliver|sell|have|stock|carry|make|offer) (?:to|in|it|this|these"
        r"|them|a|an|any)", r"does (?:it|this|that) come in",
        r"what would you recommend", r"which would you recommend",
    ]),
    # -- purchase intent.
    ("p_strong", "fr", [
        rf"{_JE}(?:vais|vai|compte|veux|voudrais|aimerais|souhaite|souhaiterais|pense|envisage"
        rf"|prevois|hesite a|reve de|meurs d'envie de|vais finir par){_OBJ} (?:l'|m'|me )?"
        rf"{_BUY_FR}",
        r"(?:je |j'|j ?)hesite (?:entre|a)", r"jhesite",
        r"je cherche (?:un|une|des|le meilleur|la meilleure|les meilleurs|les meilleures"
        r"|quelque chose|qqch|un cadeau|une idee|un bon|une bonne)\b(?! (?:conseiller|interlocut"
        r"|humain|moyen|numero|contact|reponse|responsable|solution|personne))",
        r"(?:dispo|dispos|disponibles?|existe|existent) (?:aussi |encore |bientot |toujours )?"
        r"en(?! (?:boutique|magasin|ligne|exclusivite|precommande|ce moment))",
        r"(?:de nouveau |encore |bientot |re )?en stock", r"restock\w*", r"reassort\w*",
        r"rupture de stock",
        r"prix (?:svp|stp|please|pls|en mp|mp)", r"vos tarifs", r"un devis",
        r"wish ?list", r"liste (?:de (?:noel|souhaits|naissance|mariage|cadeaux)|d'envies)",
        r"(?:je |j ?)craque\w*", r"(?:j'ai|jai|g) craque", r"craquer pour", r"je vais craquer",
        r"(?:besoin d'un|besoin de|un petit|des|un) conseils? (?:pour|sur) (?:choisir|le choix"
        r"|acheter|trouver|quel|quelle|m'equiper|offrir|un achat)",
        r"aidez moi a choisir",
        r"il me (?:le|la|les) faut", r"(?:je|j) (?:le|la|les) veux", r"jle veux", r"jla veux",
        r"jveux (?:tout|le|la|les|ce|cette|ces|un|une)", r"je veux (?:tout|ce|cette|ces)",
        r"trop envie (?:de|d')", r"(?:ca|sa) me tente", r"tentee?s? par",
        r"(?:me |je me )laisse(?:r)? tenter", r"je passe commande", r"je commande (?:des|de suite"
        r"|direct|aujourd'hui|demain|ce soir|maintenant)",
        r"code (?:promo|de reduction|reduc)", r"bon de reduction",
        r"pre ?commande\w*", r"click (?:and|&|et) collect", r"retrait en magasin",
        r"ouvrir un compte", r"souscrire\w*", r"(?:m'|s')abonner", r"prendre un abonnement",
        r"changer d'operateur", r"passer chez vous", r"devenir client\w*",
        r"places disponibles", r"interesse\w* (?:par|pour)", r"je suis interesse\w*",
        r"ajoute\w* (?:au|a mon) panier",
    ]),
    ("p_strong", "en", [
        r"(?:want|wanna|would like|'d like|d like|going|gonna|plan|planning|plan on|planning on"
        r"|thinking of|thinking about|considering|about|hoping|intend\w*|looking"
        r"|can'?t wait) (?:to |on |for )?" + _BUY_EN
        + r"\b(?! (?:a refund|my money|back|through|in touch|an answer|a response|a reply"
        r"|someone|hold|help|to))",
        r"(?:back )?in stock", r"restock\w*", r"sold out", r"out of stock",
        r"worth (?:buying|getting|the money|the price)",
        r"add(?:ed|ing)? (?:it |this |them )?to (?:my )?(?:cart|basket|wish ?list)",
        r"wish ?list", r"take my money", r"need (?:this|these) in my life",
        r"i need (?:this|these|that|it|one|them)(?! (?:fixed|sorted|resolved|refunded|replaced"
        r"|back|returned|repaired))",
        r"comes? in (?:other|a|size|black|white|\d)", r"available in",
        r"available (?:for|to) (?:order|purchase|pre ?order)",
        r"pre ?order\w*", r"on my wish ?list",
        r"looking for (?:a|an|some|the best|a good)\b(?! (?:refund|response|answer|reply"
        r"|solution|way to contact|human|person))",
        r"(?:any|your) recommendations? (?:for|on)", r"recommend (?:me )?(?:a|an|some|which)\b",
        r"sign(?:ing)? up for", r"subscribe to", r"switch(?:ing)? to (?:you|your)",
        r"open(?:ing)? an account", r"(?:discount|promo|coupon) code",
        r"(?:gonna|going to|will|'ll) (?:order|buy|pick up|book|grab)",
    ]),
    # -- praise that is never ironic.
    ("pr_strong", "fr", [
        r"(?:je |j ?)(?:vous |le |la |les |l')?recommande", r"recommande vivement",
        r"a recommander", r"(?:je |j ?)(?:vous |le |la |les |l')?conseille", r"a conseiller",
        r"coup de coeur", r"pepite", r"une tuerie", r"une dinguerie", r"de la bombe",
        r"un regal", r"delicieu\w+", r"succulent\w*", r"trop bon(?:ne)?s?",
        r"tellement bon(?:ne)?s?", r"vraiment bon(?:ne)?s?", r"un (?:vrai )?bonheur",
        r"que du bonheur", r"que du bon", r"ravie?s?", r"satisfaite?s?", r"conquise?s?",
        r"(?:je suis|grave|trop) fan", r"fan (?:absolue?|inconditionnel\w*|de)",
        r"5 etoiles", r"cinq etoiles", r"10/10", r"20/20", r"5/5",
        r"impeccable\w*", r"nickel", r"nikel", r"efficace\w*", r"reactif\w*", r"reactivite",
        r"a l'ecoute", r"aux petits soins", r"le meilleur", r"la meilleure", r"les meilleur\w*",
        r"meilleure? (?:achat|service|produit|sav|appli|banque|operateur|marque|creme|parfum"
        r"|resto|restaurant|experience)", r"je valide", r"chef d'oeuvre", r"merci infiniment",
        r"mille mercis?", r"merci mille fois", r"un grand merci", r"grand merci",
        r"au top du top", r"pas mal du tout",
        r"(?:tres|trop|super|vraiment|tellement|hyper) (?:contente?s?|heureu\w+|satisfaite?s?)",
    ]),
    ("pr_strong", "en", [
        r"highly recommend\w*", r"(?:i|would|definitely|totally|100%|strongly) recommend",
        r"recommend (?:it|this|them|you|these)", r"must have", r"game ?changer", r"holy grail",
        r"obsessed", r"(?:my )?(?:new )?(?:favou?rite|fave)", r"delicious", r"yummy", r"tasty",
        r"so good", r"so helpful", r"very helpful", r"super helpful", r"really helpful",
        r"helpful", r"5 stars", r"five stars", r"10/10", r"5/5",
        r"best (?:purchase|service|product|customer service|app|bank|airline|hotel|experience"
        r"|thing|ever|decision|company|brand|pizza|burger|meal|of my life)", r"the best",
        r"exceeded (?:my |all )?expectations", r"blown away", r"impressed", r"happy with",
        r"(?:so|very|really|super) (?:happy|pleased|glad)", r"pleased with", r"satisfied",
        r"life ?saver", r"saved my (?:day|life)", r"top notch", r"spot on",
        r"(?:fast|quick|speedy|early) (?:delivery|shipping|response|reply)",
        r"arrived (?:early|quickly|fast|on time)",
    ]),
    # -- praise words that are also used ironically.
    ("pr_prone", "fr", [
        r"merci (?:pour|a|au|aux|d'avoir|de votre|de vos|de ta|de ton|encore|beaucoup pour"
        r"|bcp pour)", r"bravo\w*", r"felicitations?", r"chapeau", r"bien joue\w*", r"trop fort\w*",
        r"genial\w*", r"geniale?s?",
        r"super\b(?! (?:lent|long|cher|chere|decu\w*|nul\w*|mal|chiant\w*|relou|galere"
        r"|complique\w*|tard|en retard|cher|dur))", r"trop top",
        r"parfait\w*", r"excellent\w*", r"magnifique\w*", r"sublime\w*", r"superbe\w*",
        r"merveill\w+", r"formidable\w*", r"incroyable\w*", r"extraordinaire\w*",
        r"fantastique\w*", r"j'adore", r"jadore", r"adore", r"on adore", r"j'aime", r"jaime",
        r"on aime", r"je kiffe", r"jkiffe", r"kiff\w*", r"trop bien", r"vraiment bien",
        r"tres bien", r"super bien", r"la classe", r"belle (?:organisation|reussite)",
    ]),
    ("pr_prone", "en", [
        r"lov(?:e|es|ed|ing)", r"amazing", r"awesome", r"great", r"fantastic", r"brilliant",
        r"wonderful", r"lovely", r"gorgeous",
        r"perfect\w*", r"excellent", r"incredible", r"outstanding", r"superb", r"well done",
        r"good job", r"great job", r"nice one", r"(?:you|u) (?:guys |all )?rock",
        r"thanks? (?:you )?(?:for|so much|a lot)",
        r"best(?! regards| wishes)",
    ]),
    ("pr_prone", "*", [
        r"love", r"(?<!un )(?<!ce )(?<!mon )(?<!ton )(?<!son )(?<!les )top(?! \d)", r"au top",
        r"tip top",
    ]),
    # -- bare thanks: praise, unless it only closes a question or a request.
    ("pr_thanks", "fr", [r"merci\w*", r"mercii", r"mci", r"merki"]),
    ("pr_thanks", "en", [r"thanks?", r"thank you", r"thank u", r"thx", r"ty", r"tyvm",
                         r"cheers"]),
    # -- mild complaint cues (0.5): need a context word, an @mention or a negative sentiment.
    ("c_mild", "fr", [
        r"bof", r"mouais", r"(?<!un )(?<!le )(?<!ya )(?<!au )moyen(?! de| d')", r"moyenne",
        r"dommage", r"lente?", r"lenteurs?", r"trop long", r"trop cher\w*", r"hors de prix",
        r"(?:tres|vraiment|super|hyper|un peu|bien|assez) cher\w*", r"probleme\w*",
        r"soucis?", r"pb", r"erreur\w*", r"panne", r"coupure\w*", r"coupee?s?", r"bloquee?s?",
        r"annulee?s?", r"annulation\w*", r"supprimee?s?", r"perdue?s?", r"manqu\w+", r"attente",
        r"pas encore (?:recu|arrive|livre)\w*", r"resili\w+", r"impossible", r"inutile\w*",
        r"depuis (?:\d+|deux|trois|quatre|une|un) (?:jours|semaines|mois|heures)",
        r"encore une fois", r"allergi\w+", r"boutons", r"froide?s?", r"frais (?:de|caches"
        r"|supplementaires)", r"abuse\w*", r"serieux", r"grr\w*", r"pfff?\w*",
        r"(?:tres|trop|vraiment|super|hyper) sale", r"spam\w*",
    ]),
    ("c_mild", "en", [
        r"problems?", r"issues?", r"errors?", r"missing", r"cancel\w*", r"slow", r"expensive",
        r"overpriced", r"meh", r"waiting", r"stuck", r"blocked", r"frozen", r"locked out",
        r"unfortunately", r"ugh", r"smh", r"seriously", r"cold", r"late", r"dirty",
        r"(?:logged|kicked|signed) (?:me )?out", r"spam\w*",
    ]),
    # -- context: a customer-service or product word (0.5, counted once, with @mentions).
    ("ctx", "fr", [
        r"sav", r"service (?:client\w*|apres vente)", r"serv cli\w*", r"conseill\w+", r"hotline",
        r"livraison\w*", r"livreu\w+", r"colis", r"commande\w*", r"factur\w+", r"prelev\w+",
        r"forfait\w*", r"abonnement\w*", r"reseau", r"connexion", r"box", r"fibre", r"wifi",
        r"4g", r"5g", r"appli\w*", r"application\w*", r"site", r"compte", r"carte", r"virement\w*",
        r"produit\w*", r"article\w*", r"qualite", r"banque", r"agence", r"magasin", r"boutique",
        r"vendeu\w+", r"caisse", r"retour\w*", r"echange", r"garantie", r"reparation",
        r"technicien\w*", r"chambre", r"hotel", r"valise", r"bagages?", r"vol", r"train",
        r"reservation\w*", r"ticket", r"dossier", r"contrat",
    ]),
    ("ctx", "en", [
        r"customer (?:service|support|care)", r"support", r"helpdesk", r"hotline", r"agent",
        r"orders?", r"package", r"parcel", r"delivery", r"courier", r"driver", r"bill\w*",
        r"invoice", r"account", r"card", r"app", r"website", r"site", r"flight", r"luggage",
        r"baggage", r"booking", r"reservation", r"hotel", r"room", r"product", r"item",
        r"quality", r"subscription", r"plan", r"contract", r"network", r"signal", r"internet",
        r"router", r"return", r"exchange", r"warranty",
    ]),
    # -- mild purchase cues (0.5): a purchase intent with a « ? » or with another one.
    ("p_weak", "fr", [
        r"promo\w*", r"soldes?", r"(?:ca |sa )?vaut (?:le coup|la peine|le prix)", r"envie",
        r"tente\w*", r"pour offrir", r"cadeau", r"budget", r"abordable", r"comparer",
        r"comparatif", r"dispo\w*", r"reserver", r"essayer", r"panier", r"payer en \d+ fois",
    ]),
    ("p_weak", "en", [
        r"tempt\w*", r"gift", r"budget", r"affordable", r"discount\w*", r"sale",
        r"deal", r"afford", r"basket", r"cart",
    ]),
    # -- mild praise cues (0.5 each, up to 1).
    ("pr_weak", "fr", [
        r"(?<!eh )(?<!ou )(?<!si )bien(?! (?:sur|que|entendu|des|de|du|qu'|au contraire|avant"
        r"|apres|recu|arrive))", r"cool", r"sympa\w*", r"chouette", r"pas mal(?! de| d')",
        r"jolie?s?", r"belle?s?", r"beau", r"beaux", r"agreable\w*", r"rapide\w*", r"vite",
        r"contente?s?", r"heureu\w+", r"ouf", r"dingue", r"style\w*", r"canon", r"propre",
        r"gentil\w*", r"adorable\w*",
    ]),
    ("pr_weak", "en", [
        r"good", r"nice", r"cool", r"happy", r"fast", r"quick\w*", r"fine", r"glad",
        r"enjoy\w*", r"like it", r"liked", r"pretty", r"beautiful\w*",
        r"pleased", r"friendly", r"clean", r"comfy", r"comfortable",
    ]),
]

WEIGHTS: Final[dict[str, float]] = {
    "c_formula": 1.0, "c_strong": 1.0, "neg_praise": 1.0, "c_mild": 0.5, "ctx": 0.5,
    "q_any": 1.0, "p_ask": 1.0, "p_strong": 1.0, "p_weak": 0.5,
    "pr_strong": 1.0, "pr_prone": 1.0, "pr_thanks": 1.0, "pos_neg": 1.0, "ok_neg": 0.5,
    "pr_weak": 0.5, "polite": 0.0, "contrast": 0.0,
}
CAPS: Final[dict[str, float]] = {"c_mild": 1.0, "ctx": 0.5, "p_weak": 0.5, "pr_weak": 1.0,
                                  "ok_neg": 0.5}

# The order in which groups are tried at the same word: ironic formulas, negations and
# politeness first, so that they win over (and consume) the words they contain.
GROUP_ORDER = ["c_formula", "pos_neg", "neg_praise", "ok_neg", "polite", "contrast",
                "c_strong", "p_ask", "q_any", "p_strong", "pr_strong", "pr_prone",
                "pr_thanks", "c_mild", "p_weak", "pr_weak", "ctx"]
