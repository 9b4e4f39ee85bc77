#!/usr/bin/env python3
"""The assuré's journey in a real browser (Debian's chromium + chromedriver, Selenium), against
`releve demo` on 127.0.0.1: order a code, open the account from the letter, confirm the e-mail,
log in, switch to the detailed view, open a payment, download a statement PDF, ask for a
duplicata, see the account, log out; then sign in with FranceConnect against the test OpenID
Connect provider (Tests/franceconnect/fournisseur.py), see the payments, log out at the provider,
and open an account from a FranceConnect identity. axe-core 4.9 (selenium-axe-python) audits every page,
logged out and logged in: no violation of impact "serious" or "critical" (WCAG 2.1 A/AA) is
allowed; the counts per page are printed. Screenshots go to --captures (docs/screenshots to
refresh the README's).

Usage: parcours.py --releve .build/debug/releve --donnees SampleData [--captures DIR]
Exit status: 0 if every step and audit passed, 1 otherwise.
"""
import argparse
import glob
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from selenium_axe_python import Axe

NIR = "1701275112034"
CODE = "39451827"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

failures = []
audits = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("ÉCHEC :", message)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--releve", required=True)
    parser.add_argument("--donnees", required=True)
    parser.add_argument("--captures")
    parser.add_argument("--base", help="a postgres:// base (empty) instead of a SQLite file in a temporary folder")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="releve-navigateur-")
    base = args.base or os.path.join(work, "demo.sqlite")
    # A server base keeps its neighbours (outbox, archive…) under RELEVE_DOSSIER as releve.*.
    os.environ["RELEVE_DOSSIER"] = work
    neighbours = os.path.join(work, "releve") if args.base else base
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    # The identity provider, registered through the environment as an operator would.
    port_file = os.path.join(work, "fournisseur.port")
    provider = subprocess.Popen(
        [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "franceconnect", "fournisseur.py"),
         "--port", "0", "--port-file", port_file, "--client-id", "releve-demo", "--client-secret", "secret-demo"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(port_file):
            break
        time.sleep(0.05)
    with open(port_file) as f:
        issuer = "http://127.0.0.1:" + f.read().strip()
    environment = dict(os.environ, RELEVE_FC_EMETTEUR=issuer, RELEVE_FC_CLIENT="releve-demo",
                       RELEVE_FC_SECRET="secret-demo")
    server = subprocess.Popen(
        [args.releve, "demo", "--base", base, "--donnees", args.donnees, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment)
    for line in server.stdout:
        if "sert la vue web" in line:
            break
    else:
        print("le serveur n'a pas démarré")
        return 1

    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=fr-FR"]:
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)

    def audit(name, shot=True):
        axe = Axe(driver)
        axe.inject()
        results = axe.run(options=AXE_OPTIONS)
        serious = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
        minor = [v for v in results["violations"] if v.get("impact") not in ("serious", "critical")]
        audits.append((name, len(serious), len(minor)))
        for v in serious:
            print(f"  axe {name}: {v['impact']} {v['id']} — {v['help']} ({len(v['nodes'])} nœud(s))")
        check(not serious, f"{name} : {len(serious)} violation(s) graves d'accessibilité")
        if shot and args.captures:
            os.makedirs(args.captures, exist_ok=True)
            driver.save_screenshot(os.path.join(args.captures, f"{name}.png"))

    def click(by, value):
        """Clicks and waits for the next page (a click does not wait for navigation)."""
        page = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(by, value).click()

        def replaced(_):
            # Chromium sometimes answers for the old page with an inspector error, not a stale
            # element: either way the page was replaced.
            try:
                page.is_enabled()
                return False
            except WebDriverException:
                return True
        WebDriverWait(driver, 15).until(replaced)

    def releve(*command):
        return subprocess.run([args.releve, *command, "--base", base], capture_output=True, text=True).stdout

    try:
        # Logged out: home, problems, order a code.
        driver.get(url + "/")
        check("Se connecter" in driver.page_source, "accueil : formulaire de connexion")
        audit("01-accueil")
        driver.get(url + "/probleme-acces")
        audit("02-probleme-acces")
        driver.get(url + "/")
        click(By.LINK_TEXT, "Je n'ai pas encore de compte : commander mon code provisoire")
        audit("03-code-provisoire", shot=False)
        driver.find_element(By.ID, "nir").send_keys(NIR)
        driver.find_element(By.ID, "nom").send_keys("Martin")
        driver.find_element(By.ID, "naissance").send_keys("31/02/1970")
        driver.find_element(By.ID, "code_postal").send_keys("75012")
        click(By.CSS_SELECTOR, "form button[type=submit]")
        # A refused value: the message, and every other field as typed.
        check("n'existe pas" in driver.page_source, "code provisoire : date impossible refusée")
        kept = {f: driver.find_element(By.ID, f).get_attribute("value") for f in ("nir", "nom", "naissance", "code_postal")}
        check(kept == {"nir": NIR, "nom": "Martin", "naissance": "31/02/1970", "code_postal": "75012"},
              f"code provisoire : valeurs gardées après un refus ({kept})")
        driver.find_element(By.ID, "naissance").clear()
        driver.find_element(By.ID, "naissance").send_keys("03/12/1970")
        click(By.CSS_SELECTOR, "form button[type=submit]")
        check("Demande enregistrée" in driver.page_source, "code provisoire : demande enregistrée")
        audit("03-code-provisoire-demande")

        # The letter, as the print shop would read it.
        listing = releve("admin", "courriers")
        letter_id = [l.split()[0][2:] for l in listing.splitlines() if "code provisoire" in l and "MARTIN" in l][-1]
        provisional = re.search(r"Votre code provisoire : (\d{4}) (\d{4})", releve("admin", "courriers", "afficher", letter_id))
        provisional = provisional.group(1) + provisional.group(2)

        # Open the account.
        click(By.LINK_TEXT, "J'ai reçu mon code : ouvrir mon compte")
        audit("04-ouverture-etape1")
        driver.find_element(By.ID, "nir").send_keys(NIR)
        driver.find_element(By.ID, "code_provisoire").send_keys(provisional)
        click(By.CSS_SELECTOR, "form button[type=submit]")
        check("Conditions d'utilisation" in driver.page_source, "ouverture : étape 2")
        audit("05-ouverture-etape2")
        driver.find_element(By.ID, "cgu").click()
        driver.find_element(By.ID, "code").send_keys(CODE)
        driver.find_element(By.ID, "code_confirmation").send_keys("11112222")
        driver.find_element(By.ID, "reponse").send_keys("Dupont")
        driver.find_element(By.ID, "reponse_confirmation").send_keys("Dupont")
        driver.find_element(By.ID, "email").send_keys("jean.martin@exemple.fr")
        click(By.CSS_SELECTOR, "form button[type=submit]")
        # Two different codes: refused; the terms box and the e-mail are kept, the secrets are not.
        check("Conditions d'utilisation" in driver.page_source, "ouverture : codes différents refusés")
        check(driver.find_element(By.ID, "cgu").is_selected(), "ouverture : case des conditions gardée après un refus")
        email = driver.find_element(By.ID, "email").get_attribute("value")
        check(email == "jean.martin@exemple.fr", f"ouverture : e-mail gardé après un refus ({email})")
        check(driver.find_element(By.ID, "code").get_attribute("value") == "", "ouverture : code personnel non réaffiché")
        for field, value in (("code", CODE), ("code_confirmation", CODE), ("reponse", "Dupont"),
                             ("reponse_confirmation", "Dupont")):
            driver.find_element(By.ID, field).clear()
            driver.find_element(By.ID, field).send_keys(value)
        click(By.CSS_SELECTOR, "form button[type=submit]")
        check("Votre compte est ouvert" in driver.page_source, "ouverture : compte ouvert")
        audit("06-ouverture-fin")

        # Confirm the e-mail from the link in the spool.
        mails = sorted(glob.glob(neighbours + ".courriels/*.eml"), key=os.path.getmtime)
        text = open(mails[-1], encoding="utf-8").read()
        link = re.search(r"(http://\S+jeton=\S+)", text).group(1)
        driver.get(link)
        audit("07-confirmation-email")
        click(By.CSS_SELECTOR, "form button[type=submit]")
        check("Adresse e-mail confirmée" in driver.page_source, "e-mail confirmé : " + driver.find_element(By.TAG_NAME, "main").text[:300])

        # Log in.
        driver.get(url + "/")
        driver.find_element(By.ID, "nir").send_keys(NIR)
        driver.find_element(By.ID, "code").send_keys(CODE)
        click(By.CSS_SELECTOR, "form[action='/connexion'] button")
        check(driver.current_url.endswith("/paiements"), f"connexion : arrivée sur Mes paiements ({driver.current_url})")
        cookie = driver.get_cookie("__Host-releve")
        check(cookie is not None and cookie.get("httpOnly") and cookie.get("secure") and cookie.get("sameSite") == "Strict",
              f"cookie de session : {cookie}")
        audit("08-paiements")
        click(By.PARTIAL_LINK_TEXT, "vue détaillée")
        check("Un acte par ligne" in driver.page_source, "vue détaillée")
        audit("09-paiements-detail")
        detail_url = driver.current_url
        click(By.CSS_SELECTOR, "table tbody a")
        check("Détail des actes" in driver.page_source, "détail d'un paiement")
        audit("10-paiement")
        payment_url = driver.current_url

        # The tables fit the window, wide or narrow (stacked rows on a phone): no sideways scroll.
        def fits(name):
            widths = driver.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                " .concat(Array.from(document.querySelectorAll('.tableau')).map(t => t.scrollWidth - t.clientWidth));")
            check(widths[0] <= widths[1] and all(extra <= 0 for extra in widths[2:]),
                  f"{name} : pas de défilement horizontal ({widths})")
        for width, height in ((1280, 900), (360, 780)):
            driver.set_window_size(width, height)
            for page, address, shot in (("paiements détaillés", detail_url, "09b-paiements-detail"),
                                         ("paiement", payment_url, "10b-paiement")):
                driver.get(address)
                fits(f"{page} à {width} px")
                if args.captures and width == 360:
                    driver.execute_script("document.querySelector('.tableau')?.scrollIntoView()")
                    driver.save_screenshot(os.path.join(args.captures, f"{shot}-telephone.png"))
        driver.set_window_size(1280, 900)
        # The chart: one bar per month of the period (6 by default), empty months included.
        driver.get(url + "/paiements")
        bars = len(driver.find_elements(By.CSS_SELECTOR, ".graphique svg rect"))
        check(bars == 6, f"graphique : une barre par mois de la période ({bars})")

        # Statements: download a PDF with the browser's session cookie.
        click(By.LINK_TEXT, "Mes relevés")
        audit("11-releves")
        pdf_link = driver.find_element(By.CSS_SELECTOR, "a[href$='.pdf']").get_attribute("href")
        request = urllib.request.Request(pdf_link, headers={"Cookie": f"__Host-releve={cookie['value']}"})
        with urllib.request.urlopen(request) as response:
            body = response.read()
            check(body.startswith(b"%PDF"), "téléchargement : un PDF")
            check("attachment" in response.headers.get("Content-Disposition", ""), "téléchargement : en pièce jointe")
            check(response.headers.get("Cache-Control") == "no-store", "téléchargement : no-store")
        click(By.CSS_SELECTOR, "form[action$='/duplicata'] button")
        check("Duplicata demandé" in driver.page_source, "duplicata demandé")
        audit("12-duplicata")
        click(By.CSS_SELECTOR, "form[action$='/duplicata'] button")
        check("déjà demandé" in driver.page_source, "duplicata : une seule demande")

        # A period's PDF, handed to someone who checks it on the public page; a copy with one
        # byte changed is refused.
        driver.get(url + "/paiements?mois=6")
        period_link = driver.find_element(By.LINK_TEXT, "Télécharger en PDF").get_attribute("href")
        with urllib.request.urlopen(
                urllib.request.Request(period_link, headers={"Cookie": f"__Host-releve={cookie['value']}"})) as response:
            period = response.read()
        check(period.startswith(b"%PDF"), "paiements en PDF")
        folder = tempfile.mkdtemp()
        genuine = os.path.join(folder, "paiements.pdf")
        with open(genuine, "wb") as f:
            f.write(period)
        changed = bytearray(period)
        changed[len(changed) // 2] ^= 0x01
        altered = os.path.join(folder, "modifie.pdf")
        with open(altered, "wb") as f:
            f.write(changed)
        for path, expected, name in ((genuine, "Document authentique", "authentique"),
                                     (altered, "Document inconnu ou modifié", "modifié")):
            driver.get(url + "/verifier")
            driver.find_element(By.ID, "fichier").send_keys(path)
            click(By.CSS_SELECTOR, "form[enctype] button[type=submit]")
            check(expected in driver.page_source, f"vérification : document {name} reconnu comme tel")
        audit("17-verifier")
        driver.get(url + "/paiements")

        # Account, then log out.
        click(By.LINK_TEXT, "Mon compte")
        audit("13-compte")
        driver.get(url + "/compte/resiliation")
        audit("14-resiliation")
        driver.get(url + "/compte")
        click(By.CSS_SELECTOR, "form[action='/deconnexion'] button")
        check("Session fermée" in driver.page_source, "déconnexion")
        driver.get(url + "/paiements")
        check(driver.current_url.endswith("/?message=connexion"), "après déconnexion, Mes paiements renvoie à l'accueil")

        # FranceConnect: the button, the provider's page, back with a session, logout everywhere.
        driver.get(url + "/")
        check("S'identifier avec" in driver.page_source and "Qu'est-ce que FranceConnect ?" in driver.page_source,
              "accueil : bouton FranceConnect")
        click(By.CSS_SELECTOR, "button.franceconnect-bouton")
        check("Fournisseur d'identité de test" in driver.page_source, "FranceConnect : page du fournisseur")
        click(By.ID, "utilisateur-fc-marie-ange-santoni")
        WebDriverWait(driver, 15).until(lambda d: d.current_url.endswith("/paiements"))
        check("Mes paiements" in driver.page_source and "SANTONI" in driver.page_source.upper(),
              "FranceConnect : connectée, Mes paiements de Mme Santoni")
        audit("18-franceconnect-paiements", shot=False)
        driver.get(url + "/compte")
        check("Connexion avec FranceConnect" in driver.page_source, "FranceConnect : Mon compte le dit")
        audit("19-franceconnect-compte")
        click(By.CSS_SELECTOR, "form[action='/deconnexion'] button")
        WebDriverWait(driver, 15).until(lambda d: "Session fermée" in d.page_source)
        journal = urllib.request.urlopen(issuer + "/_test/journal").read().decode()
        check('"event": "logout"' in journal and '"id_token_hint": true' in journal,
              "FranceConnect : déconnexion aussi chez le fournisseur (id_token_hint)")
        driver.get(url + "/paiements")
        check(driver.current_url.endswith("/?message=connexion"), "FranceConnect : session fermée")
        # An identity without an account: the opening form, then the payments.
        driver.get(url + "/")
        click(By.CSS_SELECTOR, "button.franceconnect-bouton")
        click(By.ID, "utilisateur-fc-ghjulia-albertini")
        check("Ouvrir mon compte avec FranceConnect" in driver.page_source, "FranceConnect : ouverture proposée")
        audit("20-franceconnect-ouverture")
        driver.find_element(By.ID, "cgu").click()
        driver.find_element(By.ID, "email").send_keys("ghjulia@exemple.fr")
        click(By.CSS_SELECTOR, "form[action='/franceconnect/ouverture'] button[type=submit]")
        check(driver.current_url.endswith("/paiements"), "FranceConnect : compte ouvert, Mes paiements")
        # An identity the registry does not know: the French page with the other doors.
        click(By.CSS_SELECTOR, "form[action='/deconnexion'] button")
        WebDriverWait(driver, 15).until(lambda d: "Session fermée" in d.page_source)
        click(By.CSS_SELECTOR, "button.franceconnect-bouton")
        click(By.ID, "utilisateur-fc-inconnu")
        check("ne correspond à aucun assuré" in driver.page_source, "FranceConnect : identité inconnue expliquée")
        audit("21-franceconnect-inconnu", shot=False)

        # A phone-sized view of the payments, logged out pages only need the home.
        driver.set_window_size(390, 844)
        driver.get(url + "/")
        audit("15-accueil-telephone")
        driver.get(url + "/page-qui-n-existe-pas")
        check("Page introuvable" in driver.page_source, "404 en français")
        audit("16-introuvable", shot=False)
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=10)
        provider.kill()

    print("\nAudit axe-core 4.9 (WCAG 2.1 A/AA) — violations graves ou critiques / autres, par page :")
    for name, serious, minor in audits:
        print(f"  {name:28} {serious:3} / {minor}")
    if failures:
        print(f"\n{len(failures)} échec(s).")
        return 1
    print("\nParcours navigateur : tout est passé.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
