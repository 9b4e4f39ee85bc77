#!/usr/bin/env python3
"""Writes releve(1), in French, from the command model the binary gives
(`releve --experimental-dump-help`): the same text as `releve X --aide`, so the page never
drifts from the commands. argument-parser's own `generate-manual` plugin writes English section
titles and drops accents, hence this generator.

    python3 docs/man/generer.py .build/debug/releve > releve.1
    man -l releve.1
"""

import json
import subprocess
import sys

ENVIRONMENT = [
    (
        "RELEVE_CONFIGURATION",
        "Fichier de configuration (releve.toml), quand --configuration n'est pas donné (sinon ./releve.toml s'il existe). "
        "Ordre : option, variable d'environnement, fichier, valeur par défaut ; « releve admin configuration » "
        "affiche le résultat. Chaque clé du fichier tient lieu d'une des variables RELEVE_* ; une erreur est refusée "
        "avec sa ligne (code 78).",
    ),
    ("RELEVE_JOURNAL_FORMAT", "Format du journal : json, texte, ou auto (JSON sauf sur un terminal ; par défaut)."),
    ("RELEVE_JOURNAL_NIVEAU", "Niveau minimal du journal : debug, info (par défaut), avertissement, erreur."),
    ("RELEVE_METRIQUES", "Adresse hôte:port des métriques Prometheus de « servir » (/metrics), jamais l'adresse publique."),
    ("RELEVE_METRIQUES_FICHIER", "Fichier où les traitements (import, émission, lots, exports) écrivent leurs métriques."),
    ("RELEVE_BASE", "Chemin de la base de données, quand --base n'est pas donné (par défaut ./releve.sqlite)."),
    ("RELEVE_CLE", "Fichier de la clé secrète (poivre) des codes, quand --cle n'est pas donné (par défaut BASE.cle)."),
    (
        "RELEVE_URL_PUBLIQUE",
        "Adresse du site pour les liens des e-mails, quand --url-publique n'est pas donné "
        "(sinon celle que « servir » écoute).",
    ),
    ("XDG_CONFIG_HOME", "Dossier de la session de la ligne de commande (par défaut ~/.config)."),
    ("RELEVE_FC_EMETTEUR", "Émetteur du fournisseur OpenID Connect (FranceConnect) ; sans lui, pas de bouton FranceConnect."),
    ("RELEVE_FC_CLIENT", "Identifiant client donné par le fournisseur."),
    (
        "RELEVE_FC_SECRET_FICHIER",
        "Fichier du secret client (droits 0600) ; ou RELEVE_FC_SECRET. Jamais en argument de commande.",
    ),
    (
        "RELEVE_FC_RETOUR",
        "Adresse de retour déclarée au fournisseur (par défaut URL-PUBLIQUE/franceconnect/retour) ; "
        "RELEVE_FC_APRES_DECONNEXION, celle d'après la déconnexion.",
    ),
    ("RELEVE_FC_ACR", "Niveaux d'authentification acceptés, séparés par des virgules (par défaut eidas1)."),
    ("COLUMNS", "Largeur du terminal pour la vue détaillée des paiements (sinon celle que donne le terminal)."),
]

FILES = [
    ("BASE", "La base SQLite : assurés, paiements, comptes, sessions, journal d'audit."),
    ("BASE.cle", "La clé secrète des codes (0600). La perdre rend inutilisables tous les codes personnels."),
    (
        "$XDG_CONFIG_HOME/releve/session",
        "La session de la ligne de commande (0600 ; par défaut ~/.config/releve/session), "
        "fermée par « releve deconnexion ».",
    ),
    ("BASE.archives/", "Les relevés émis (PDF), immuables, et leurs vignettes."),
    ("BASE.courriels/", "Les e-mails déposés (.eml) quand aucune commande d'envoi n'est donnée."),
    ("BASE.lots/", "Les lots d'impression pour La Poste (PDF) et leurs bordereaux."),
    ("BASE.exports/", "Les exports pour les organismes complémentaires (CSV)."),
]

# The exit codes, as `releve --aide` states them (the README's table gives the details).
EXIT_CODES = [
    ("0", "Succès ; ou un choix (refus des conditions), ou rien à faire, expliqués par une phrase."),
    ("64", "Commande mal formée : commande, option ou argument inconnu, manquant ou hors limites."),
    ("65", "Donnée refusée : NIR non valable, fichier de flux refusé (chaque problème en « fichier:ligne: raison »)."),
    ("66", "Fichier introuvable, ou qui n'est pas un fichier ordinaire."),
    ("67", "Pas de compte ici : l'assuré relève d'un autre régime (le message dit qui contacter)."),
    ("68", "Identité FranceConnect sans assuré correspondant, ou avec plusieurs (le message renvoie au code provisoire)."),
    ("69", "Service en maintenance, ou FranceConnect indisponible."),
    ("70", "Erreur interne ; rien n'a été modifié, le détail est dans le journal de l'exploitant."),
    ("73", "Fichier impossible à écrire ; rien de partiel n'est laissé."),
    ("74", "Base de données inutilisable (pas une base, schéma plus récent, endommagée, disque plein)."),
    ("75", "Trop de demandes pour l'instant ; réessayez plus tard."),
    ("77", "Accès refusé : code incorrect, compte bloqué ou résilié, session absente ou expirée, réponse de FranceConnect refusée."),
    ("78", "Réglage manquant (releve admin franceconnect verifier)."),
]


def roff(text):
    """Escapes text for roff: backslashes and leading dots or quotes; French quotes kept with
    their word (no-break spaces); every other non-ASCII character as a groff/mandoc Unicode
    escape, so the page reads the same whatever the locale `man` runs in."""
    text = text.replace("\\", "\\e")
    for before, after in (("« ", "«\u00a0"), (" »", "\u00a0»"), (" ;", "\u00a0;"), (" :", "\u00a0:")):
        text = text.replace(before, after)
    text = "".join(
        "\\~" if c in "\u00a0\u202f" else c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text
    )
    lines = []
    for line in text.split("\n"):
        if line.startswith((".", "'")):
            line = "\\&" + line
        lines.append(line)
    return "\n".join(lines)


def option_name(name):
    prefix = "-" if name["kind"] == "short" else "--"
    return "\\fB" + (prefix + name["name"]).replace("-", "\\-") + "\\fR"


def argument_entry(argument):
    """A .TP entry for one option, flag or positional argument."""
    value = argument.get("valueName", "")
    if argument["kind"] == "positional":
        head = "\\fI" + roff(value.upper() if value else "ARGUMENT") + "\\fR"
        if argument.get("isRepeating"):
            head += " ..."
    else:
        head = ", ".join(option_name(n) for n in argument.get("names", []))
        if argument["kind"] == "option":
            head += " \\fI" + roff(value.upper() if value else "VALEUR") + "\\fR"
    text = argument.get("abstract", "")
    values = argument.get("allValueStrings") or argument.get("allValues")
    if values and argument["kind"] != "flag" and not all(v in text for v in values):
        text += " (valeurs : " + ", ".join(values) + ")"
    if argument.get("defaultValue", "") not in ("", "false") and "(par défaut)" not in text:
        text += " (par défaut : " + argument["defaultValue"] + ")"
    if argument.get("discussion"):
        text += "\n" + argument["discussion"]
    return ".TP\n" + head + "\n" + roff(text) + "\n"


BUILT_IN = {"help", "version", "aide"}


def visible_arguments(command):
    for argument in command.get("arguments", []):
        names = {n["name"] for n in argument.get("names", [])}
        if names & BUILT_IN or not argument.get("shouldDisplay", True):
            continue
        yield argument


def hidden_options(command, found):
    """The options d'exploitation: hidden from the assurés' help, the same on every command."""
    for argument in command.get("arguments", []):
        names = {n["name"] for n in argument.get("names", [])}
        if argument.get("shouldDisplay", True) or argument["kind"] == "positional" or names & BUILT_IN:
            continue
        key = tuple(n["name"] for n in argument.get("names", []))
        found.setdefault(key, argument)
    for sub in command.get("subcommands", []):
        hidden_options(sub, found)
    return found


def synopsis(path, command):
    parts = ["\\fB" + roff(" ".join(path)) + "\\fR"]
    subcommands = [s for s in command.get("subcommands", []) if s.get("shouldDisplay", True) and s["commandName"] != "help"]
    if subcommands:
        parts.append("\\fISOUS\\-COMMANDE\\fR")
    for argument in visible_arguments(command):
        if argument["kind"] == "positional":
            name = "\\fI" + roff((argument.get("valueName") or "argument").upper()) + "\\fR"
            if argument.get("isRepeating"):
                name += " ..."
        else:
            name = option_name(argument["preferredName"] if "preferredName" in argument else argument["names"][0])
            if argument["kind"] == "option":
                name += " \\fI" + roff((argument.get("valueName") or "valeur").upper()) + "\\fR"
        parts.append(("[" + name + "]") if argument.get("isOptional") else name)
    return " ".join(parts)


def command_sections(path, command):
    out = []
    for sub in command.get("subcommands", []):
        if not sub.get("shouldDisplay", True) or sub["commandName"] == "help":
            continue
        sub_path = path + [sub["commandName"]]
        out.append(".SS \"" + roff(" ".join(sub_path)) + "\"\n")
        out.append(synopsis(sub_path, sub) + "\n.PP\n")
        out.append(roff(sub.get("abstract", "")) + "\n")
        if sub.get("discussion"):
            out.append(".PP\n" + roff(sub["discussion"]) + "\n")
        entries = [argument_entry(a) for a in visible_arguments(sub)]
        if entries:
            out.append(".RS\n" + "".join(entries) + ".RE\n")
        out.extend(command_sections(sub_path, sub))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("utilisation : generer.py CHEMIN_DU_BINAIRE_RELEVE")
    binary = sys.argv[1]
    model = json.loads(subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True).stdout)
    root = model["command"]
    version = subprocess.run([binary, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    page = [
        '.\\" Generated by docs/man/generer.py from `releve --experimental-dump-help`; do not edit.\n',
        '.TH RELEVE 1 "" "Releve ' + roff(version) + '" "Commandes de l\'utilisateur"\n',
        ".SH NOM\nreleve \\- vos remboursements d'assurance maladie et vos relevés mensuels\n",
        ".SH SYNOPSIS\n\\fBreleve\\fR \\fISOUS\\-COMMANDE\\fR [\\fIOPTIONS\\fR]\n.br\n"
        "\\fBreleve aide\\fR \\fISOUS\\-COMMANDE\\fR\n",
        ".SH DESCRIPTION\n" + roff(root["abstract"]) + "\n.PP\n"
        "Chaque commande affiche son aide avec \\fB\\-\\-aide\\fR (ou \\fB\\-h\\fR). "
        "Les commandes de l'assuré demandent une session ouverte par \\fBreleve connexion\\fR ; "
        "celles de l'exploitant sont sous \\fBreleve admin\\fR.\n",
        ".SH COMMANDES\n",
    ]
    page.extend(command_sections(["releve"], root))
    hidden = hidden_options(root, {})
    if hidden:
        page.append(
            ".SH \"OPTIONS D'EXPLOITATION\"\n"
            "Ces options, communes aux commandes, ne figurent pas dans l'aide des assurés : "
            "elles servent à l'exploitant de la caisse.\n"
        )
        page.extend(argument_entry(a) for a in hidden.values())
    page.append(".SH \"CODES DE SORTIE\"\n")
    page.extend(".TP\n\\fB" + code + "\\fR\n" + roff(text) + "\n" for code, text in EXIT_CODES)
    page.append(".SH ENVIRONNEMENT\n")
    page.extend(".TP\n\\fB" + name + "\\fR\n" + roff(text) + "\n" for name, text in ENVIRONMENT)
    page.append(".SH FICHIERS\n")
    page.extend(".TP\n\\fI" + name + "\\fR\n" + roff(text) + "\n" for name, text in FILES)
    page.append(
        ".SH EXEMPLES\n.nf\n"
        "releve compte code\\-provisoire \\-\\-nir 1701275112034 \\-\\-nom Martin \\-\\-naissance 03/12/1970 "
        "\\-\\-code\\-postal 75012\n"
        "releve connexion \\-\\-nir 1701275112034\n"
        "releve paiements \\-\\-mois 6 \\-\\-detail\n"
        "releve releves telecharger 2026\\-10 \\-\\-sortie octobre.pdf\n"
        "releve admin releves emettre \\-\\-mois 2026\\-10\n.fi\n"
    )
    page.append(
        ".SH \"" + roff("COMPLÉTION") + "\"\n\\fBmake install\\fR "
        + roff("installe la complétion des commandes pour bash, zsh et fish. À la main : ")
        + "\\fBreleve \\-\\-generate\\-completion\\-script bash\\fR (ou zsh, fish).\n"
    )
    sys.stdout.write("".join(page))


if __name__ == "__main__":
    main()
