/// The pages' Mustache templates (French), one per `Template` case, each reading only its page
/// model (`Pages/`). `{{x}}` is HTML-escaped by swift-mustache; `{{{body}}}` only ever receives
/// HTML rendered from these templates, `{{{chart}}}`, `{{{rows}}}` and the `{{{…Options}}}` HTML
/// escaped by `HTML.escape`.
enum Templates {
    static let csrf = #"<input type="hidden" name="csrf" value="{{csrf}}">"#

    static let layout = """
        <!doctype html>
        <html lang="fr">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} — Releve</title>
        <link rel="stylesheet" href="/static/releve.css">
        </head>
        <body>
        <a class="evitement" href="#contenu">Aller au contenu</a>
        <header class="bandeau">
        <a class="marque" href="/">Releve</a>
        {{#user}}
        <nav aria-label="Menu principal"><ul>
        <li><a href="/paiements"{{#navPaiements}} aria-current="page"{{/navPaiements}}>Mes paiements</a></li>
        <li><a href="/releves"{{#navReleves}} aria-current="page"{{/navReleves}}>Mes relevés</a></li>
        <li><a href="/compte"{{#navCompte}} aria-current="page"{{/navCompte}}>Mon compte</a></li>
        <li><form method="post" action="/deconnexion">{{> csrf}}<button type="submit">Se déconnecter</button></form></li>
        </ul></nav>
        <p class="visuellement-cache">Session de {{name}}</p>
        {{/user}}
        </header>
        <main id="contenu">
        {{#flash}}<p class="message {{kind}}" role="status">{{text}}</p>{{/flash}}
        {{{body}}}
        </main>
        <footer>
        <p>Releve — relevés de remboursements de l'assurance maladie. <a href="/verifier">Vérifier un document Releve</a>. {{#demo}}Démonstration : données fictives.{{/demo}}</p>
        </footer>
        </body>
        </html>
        """

    static let etapes = """
        <ol class="etapes" aria-label="Étapes de l'ouverture du compte">
        {{#steps}}<li{{#current}} aria-current="step"{{/current}}>{{#current}}<span class="visuellement-cache">Étape en cours : </span>{{/current}}{{number}}. {{label}}</li>{{/steps}}
        </ol>
        """

    static let accueil = """
        <h1>Vos remboursements d'assurance maladie</h1>
        <p>Consultez vos paiements des derniers mois, en vue synthétique ou détaillée, et vos relevés mensuels.</p>
        {{#demoAccounts}}<div class="message"><p>Démonstration — comptes ouverts pour l'essai :</p><ul>{{#accounts}}<li>{{name}} : NIR {{nir}}, code {{code}}</li>{{/accounts}}</ul></div>{{/demoAccounts}}
        <div class="colonnes">
        <section class="carte" aria-labelledby="titre-connexion">
        <h2 id="titre-connexion">Se connecter</h2>
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/connexion">
        {{> csrf}}
        <label for="nir">Numéro de sécurité sociale <span class="aide">13 caractères, sans la clé ; par exemple 1 70 12 75 112 034</span></label>
        <input id="nir" name="nir" type="text" autocomplete="username" required value="{{nir}}">
        <label for="code">Code personnel <span class="aide">{{codeLengths}}</span></label>
        <input id="code" name="code" type="password" inputmode="numeric" autocomplete="current-password" required>
        <button type="submit">Se connecter</button>
        </form>
        {{#franceconnect}}<p class="separateur">ou</p>{{> franceconnect-bouton}}{{/franceconnect}}
        </section>
        <section class="carte" aria-labelledby="titre-nouveau">
        <h2 id="titre-nouveau">Pas encore de compte ?</h2>
        <p><a class="bouton" href="/code-provisoire">Je n'ai pas encore de compte : commander mon code provisoire</a></p>
        <p>Vous avez reçu votre code provisoire par courrier ? <a href="/ouverture">Ouvrir mon compte avec ce code</a>.</p>
        <h2 id="titre-acces">Problème d'accès</h2>
        <p><a href="/probleme-acces">Code oublié ou jamais reçu, compte bloqué ou résilié, autre régime</a></p>
        </section>
        </div>
        """

    /// FranceConnect's button as its published conventions draw it (no script): "S'identifier
    /// avec FranceConnect", then the link "Qu'est-ce que FranceConnect ?" in a new window.
    static let franceconnectBouton = """
        <div class="franceconnect">
        <form method="post" action="/franceconnect/connexion">
        {{> csrf}}
        <button type="submit" class="franceconnect-bouton"><span class="franceconnect-login">S'identifier avec</span> <span class="franceconnect-marque">FranceConnect</span></button>
        </form>
        <p><a href="https://franceconnect.gouv.fr/" target="_blank" rel="noopener" title="Qu'est-ce que FranceConnect ? — nouvelle fenêtre">Qu'est-ce que FranceConnect ?</a></p>
        </div>
        """

    static let franceconnectOuverture = """
        <h1>Ouvrir mon compte avec {{provider}}</h1>
        <p>{{provider}} nous a transmis votre identité : elle correspond au dossier de <strong>{{name}}</strong>. Aucun code provisoire n'est nécessaire. Acceptez les conditions d'utilisation et indiquez votre adresse e-mail pour ouvrir votre compte.</p>
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/franceconnect/ouverture">
        {{> csrf}}
        <input type="hidden" name="jeton" value="{{token}}">
        <input type="hidden" name="nom" value="{{name}}">
        <fieldset><legend>Conditions d'utilisation</legend>
        <div class="conditions" tabindex="0" role="region" aria-label="Conditions d'utilisation">{{terms}}</div>
        <p class="case"><input id="cgu" name="cgu" type="checkbox" value="oui" required{{#termsAccepted}} checked{{/termsAccepted}}> <label for="cgu">J'accepte les conditions d'utilisation</label></p>
        </fieldset>
        <fieldset><legend>Votre adresse e-mail</legend>
        <label for="email">Adresse e-mail <span class="aide">un lien de confirmation y sera envoyé</span></label>
        <input id="email" name="email" type="email" autocomplete="email" required value="{{email}}">
        </fieldset>
        <p class="aide">Vous vous connecterez avec {{provider}}. Pour vous connecter aussi avec votre numéro de sécurité sociale, choisissez ensuite un code personnel dans « Mon compte ».</p>
        <button type="submit">Ouvrir mon compte</button>
        </form>
        """

    static let franceconnectErreur = """
        <h1>Connexion avec FranceConnect impossible</h1>
        <p>{{text}}</p>
        <ul>
        <li><a href="/">Se connecter avec son numéro de sécurité sociale et son code personnel</a></li>
        <li><a href="/code-provisoire">Commander un code provisoire (envoyé par courrier)</a></li>
        <li><a href="/probleme-acces">Autres problèmes d'accès</a></li>
        </ul>
        """

    /// A same-site step after the provider's redirect (see `ContinuePage`).
    static let suite = """
        <meta http-equiv="refresh" content="0;url={{target}}">
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <p><a class="bouton" href="{{target}}">Continuer</a></p>
        """

    static let codeProvisoire = """
        <h1>Commander mon code provisoire</h1>
        <p>Votre code provisoire de 8 chiffres vous est envoyé par courrier, à l'adresse connue de votre caisse, sous {{postalDelay}}. Il est valable {{validity}} et ne sert qu'une fois. Il sert aussi à retrouver l'accès à un compte existant.</p>
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/code-provisoire">
        {{> csrf}}
        <label for="nir">Numéro de sécurité sociale <span class="aide">13 caractères, sans la clé</span></label>
        <input id="nir" name="nir" type="text" autocomplete="username" required value="{{nir}}">
        <label for="nom">Nom de famille</label>
        <input id="nom" name="nom" type="text" autocomplete="family-name" required value="{{nom}}">
        <label for="naissance">Date de naissance <span class="aide">JJ/MM/AAAA</span></label>
        <input id="naissance" name="naissance" type="text" autocomplete="bday" required value="{{naissance}}">
        <label for="code_postal">Code postal de votre domicile</label>
        <input id="code_postal" name="code_postal" type="text" inputmode="numeric" autocomplete="postal-code" required value="{{codePostal}}">
        <button type="submit">Commander mon code</button>
        </form>
        """

    static let message = """
        <h1>{{heading}}</h1>
        {{#paragraphs}}<p>{{.}}</p>{{/paragraphs}}
        {{#link}}<p><a class="bouton" href="{{href}}">{{label}}</a></p>{{/link}}
        """

    static let ouverture = """
        <h1>Ouvrir mon compte</h1>
        {{> etapes}}
        <p>Saisissez votre numéro de sécurité sociale et le code provisoire reçu par courrier.</p>
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/ouverture">
        {{> csrf}}
        <label for="nir">Numéro de sécurité sociale</label>
        <input id="nir" name="nir" type="text" autocomplete="username" required value="{{nir}}">
        <label for="code_provisoire">Code provisoire <span class="aide">8 chiffres, reçu par courrier</span></label>
        <input id="code_provisoire" name="code_provisoire" type="password" inputmode="numeric" autocomplete="one-time-code" required>
        <button type="submit">Continuer</button>
        </form>
        <p>Pas de code ? <a href="/code-provisoire">Commander mon code provisoire</a></p>
        """

    static let ouvertureEtape2 = """
        <h1>Ouvrir mon compte — {{kindLabel}}</h1>
        {{> etapes}}
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/ouverture/valider">
        {{> csrf}}
        <input type="hidden" name="nir" value="{{nir}}">
        <input type="hidden" name="code_provisoire" value="{{provisional}}">
        <input type="hidden" name="etat" value="{{state}}">
        <fieldset><legend>Conditions d'utilisation</legend>
        <div class="conditions" tabindex="0" role="region" aria-label="Conditions d'utilisation">{{terms}}</div>
        <p class="case"><input id="cgu" name="cgu" type="checkbox" value="oui" required{{#termsAccepted}} checked{{/termsAccepted}}> <label for="cgu">J'accepte les conditions d'utilisation</label></p>
        </fieldset>
        <fieldset><legend>Votre code personnel</legend>
        <label for="code">Code personnel <span class="aide">{{codeLengths}} ; ni suite, ni répétition, ni date de naissance</span></label>
        <input id="code" name="code" type="password" inputmode="numeric" autocomplete="new-password" required>
        <label for="code_confirmation">Confirmez le code personnel</label>
        <input id="code_confirmation" name="code_confirmation" type="password" inputmode="numeric" autocomplete="new-password" required>
        </fieldset>
        <fieldset><legend>Votre question secrète</legend>
        <label for="question">Question</label>
        <select id="question" name="question">{{#questions}}<option value="{{number}}"{{#selected}} selected{{/selected}}>{{text}}</option>{{/questions}}</select>
        <label for="reponse">Réponse</label>
        <input id="reponse" name="reponse" type="text" autocomplete="off" required>
        <label for="reponse_confirmation">Confirmez la réponse</label>
        <input id="reponse_confirmation" name="reponse_confirmation" type="text" autocomplete="off" required>
        </fieldset>
        <fieldset><legend>Votre adresse e-mail</legend>
        <label for="email">Adresse e-mail <span class="aide">un lien de confirmation y sera envoyé</span></label>
        <input id="email" name="email" type="email" autocomplete="email" required value="{{email}}">
        </fieldset>
        <button type="submit">Ouvrir mon compte</button>
        </form>
        """

    static let confirmationEmail = """
        <h1>Confirmer mon adresse e-mail</h1>
        {{#token}}
        <form method="post" action="/compte/email/confirmer">
        {{> csrf}}
        <input type="hidden" name="jeton" value="{{token}}">
        <p>Cliquez pour confirmer l'adresse e-mail de votre compte Releve.</p>
        <button type="submit">Confirmer mon adresse e-mail</button>
        </form>
        {{/token}}
        {{^token}}<p class="message erreur" role="alert">Ce lien est incomplet : ouvrez le lien reçu par e-mail.</p>{{/token}}
        """

    static let problemeAcces = """
        <h1>Problème d'accès</h1>
        <h2>J'ai oublié mon code personnel, ou mon compte est bloqué</h2>
        <p>Commandez un code provisoire : reçu par courrier, il vous permet de choisir un nouveau code personnel et débloque votre compte. Votre code actuel continue de fonctionner d'ici là.</p>
        <p><a class="bouton" href="/code-provisoire">Commander un code provisoire</a></p>
        <h2>Je n'ai jamais reçu mon code provisoire</h2>
        <p>Le courrier arrive sous {{postalDelay}} à l'adresse connue de votre caisse. Passé ce délai, ou si vous avez déménagé, signalez votre nouvelle adresse à votre caisse, puis commandez un nouveau code ({{requestsLimit}}).</p>
        <h2>Mon compte est résilié</h2>
        <p>Commandez un code provisoire : il rouvre votre compte. Vos relevés seront de nouveau en ligne, sans papier à partir du mois suivant.</p>
        <h2>Je ne dépends pas du régime général</h2>
        <p>Les assurés de la MSA, de la SNCF, de la RATP, des mines, des marins, des clercs de notaire ou des cultes consultent leurs remboursements auprès de leur propre organisme : la demande de code vous l'indiquera.</p>
        <h2>Le service est en maintenance</h2>
        <p>Réessayez un peu plus tard : rien n'est perdu.</p>
        """

    static let paiements = """
        <h1>Mes paiements</h1>
        <p>{{period}}. <a href="{{switchHref}}">{{switchLabel}}</a></p>
        <form method="get" action="/paiements" class="filtres" aria-label="Filtrer les paiements">
        <input type="hidden" name="vue" value="{{view}}">
        <div><label for="mois">Période</label><select id="mois" name="mois">{{{monthOptions}}}</select></div>
        <div><label for="beneficiaire">Bénéficiaire</label><select id="beneficiaire" name="beneficiaire"><option value="">Tous</option>{{{beneficiaryOptions}}}</select></div>
        <div><label for="nature">Nature des soins</label><select id="nature" name="nature"><option value="">Toutes</option>{{{natureOptions}}}</select></div>
        <div><label for="du">Du <span class="aide">JJ/MM/AAAA</span></label><input id="du" name="du" type="text" value="{{from}}"></div>
        <div><label for="au">Au <span class="aide">JJ/MM/AAAA</span></label><input id="au" name="au" type="text" value="{{to}}"></div>
        <div><button type="submit" class="secondaire">Filtrer</button></div>
        </form>
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <h2 id="titre-graphique">Remboursements par mois</h2>
        <figure class="graphique" aria-labelledby="titre-graphique">{{{chart}}}
        <figcaption>{{chartText}}</figcaption></figure>
        <p><a class="bouton" href="{{pdfHref}}">Télécharger en PDF</a> <span class="aide">cette sélection, vérifiable par qui la reçoit</span></p>
        <h2>Totaux</h2>
        <p>Payé aux professionnels : <strong>{{totalPaid}}</strong>. Remboursé par l'Assurance Maladie : <strong>{{totalReimbursed}}</strong> (participations et franchises déduites : {{totalDeductions}}). Reste à votre charge : <strong>{{totalRemaining}}</strong> — c'est ce que ni l'Assurance Maladie ni, le cas échéant, les professionnels en tiers payant n'ont pris en charge ; votre complémentaire peut en rembourser une partie.</p>
        {{#empty}}<p class="message">Aucun paiement sur cette période.</p>{{/empty}}
        {{#synthetic}}
        <div class="tableau" tabindex="0" role="region" aria-label="Paiements, un par ligne"><table>
        <caption>Un paiement par ligne</caption>
        <thead><tr><th scope="col">Date</th><th scope="col">Bénéficiaires</th><th scope="col">Versé à</th><th scope="col" class="montant">Payé</th><th scope="col" class="montant">Remboursé</th><th scope="col">Complémentaire</th></tr></thead>
        <tbody>{{{rows}}}</tbody>
        </table></div>
        {{/synthetic}}
        {{#detailed}}
        <div class="tableau" tabindex="0" role="region" aria-label="Paiements, un acte par ligne"><table>
        <caption>Un acte par ligne</caption>
        <thead><tr><th scope="col">Paiement</th><th scope="col">Soins du</th><th scope="col">Bénéficiaire</th><th scope="col">Nature</th><th scope="col" class="montant">Payé</th><th scope="col" class="montant">Base</th><th scope="col" class="montant">Taux</th><th scope="col" class="montant">Remboursé</th><th scope="col">Complémentaire</th></tr></thead>
        <tbody>{{{rows}}}</tbody>
        </table></div>
        {{/detailed}}
        """

    static let paiement = """
        <h1>Paiement du {{date}}</h1>
        <p>Référence {{reference}} — versé à {{payee}} — {{kind}}.</p>
        <div class="tableau" tabindex="0" role="region" aria-label="Détail des actes"><table>
        <caption>Détail des actes</caption>
        <thead><tr><th scope="col">Soins du</th><th scope="col">Bénéficiaire</th><th scope="col">Nature</th><th scope="col">Professionnel</th><th scope="col" class="montant">Payé</th><th scope="col" class="montant">Base</th><th scope="col" class="montant">Taux</th><th scope="col" class="montant">Remboursé</th><th scope="col" class="montant">Reste à charge</th><th scope="col">Complémentaire</th></tr></thead>
        <tbody>{{#lines}}<tr><td data-label="Soins du">{{careDate}}</td><td data-label="Bénéficiaire">{{beneficiary}}</td><td data-label="Nature">{{label}}</td><td data-label="Professionnel">{{professional}}</td><td class="montant" data-label="Payé">{{paid}}</td><td class="montant" data-label="Base">{{base}}</td><td class="montant" data-label="Taux">{{rate}}</td><td class="montant" data-label="Remboursé">{{reimbursed}}</td><td class="montant" data-label="Reste à charge">{{remaining}}</td><td data-label="Complémentaire">{{transmitted}}</td></tr>{{/lines}}</tbody>
        </table></div>
        <p>Total remboursé : <strong>{{reimbursed}}</strong>. {{explanation}}</p>
        <p><a class="bouton" href="{{decompteHref}}">Télécharger le décompte en PDF</a> <span class="aide">vérifiable par qui le reçoit</span></p>
        <p><a href="/paiements">Retour à mes paiements</a></p>
        """

    static let verifier = """
        <h1>Vérifier un document Releve</h1>
        <p>Vous avez reçu un relevé, un décompte ou un récapitulatif Releve ? Vérifiez qu'il est authentique et intact. La réponse dit seulement ce qu'est le document, quand et par quelle caisse il a été émis : ni nom, ni montant, ni numéro de sécurité sociale.</p>
        {{#answer}}<p class="message {{kind}}" role="status">{{text}}</p>{{/answer}}
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <h2 id="titre-fichier">Avec le fichier PDF</h2>
        <form method="post" action="/verifier" enctype="multipart/form-data" aria-labelledby="titre-fichier">
        {{> csrf}}
        <label for="fichier">Document PDF <span class="aide">2 Mo au plus ; il est lu pour la vérification, jamais conservé</span></label>
        <input id="fichier" name="fichier" type="file" accept="application/pdf,.pdf" required>
        <button type="submit">Vérifier le fichier</button>
        </form>
        <h2 id="titre-reference">Avec la référence et l'empreinte</h2>
        <form method="post" action="/verifier" aria-labelledby="titre-reference">
        {{> csrf}}
        <label for="reference">Référence <span class="aide">en bas de chaque page du document</span></label>
        <input id="reference" name="reference" type="text" autocomplete="off" spellcheck="false" required value="{{reference}}">
        <label for="empreinte">Empreinte SHA-256 <span class="aide">64 caractères, en bas de chaque page</span></label>
        <input id="empreinte" name="empreinte" type="text" autocomplete="off" spellcheck="false" required value="{{fingerprint}}">
        <button type="submit">Vérifier</button>
        </form>
        """

    static let releves = """
        <h1>Mes relevés</h1>
        <p>{{delivery}}</p>
        {{#empty}}<p class="message">Aucun relevé émis pour l'instant : un relevé est émis au début de chaque mois pour le mois précédent, s'il y a eu des paiements.</p>{{/empty}}
        <ul class="releves">
        {{#statements}}
        <li class="carte">
        <h2>{{monthLabel}}</h2>
        <img src="/releves/{{month}}/vignette.png" alt="Première page du relevé de {{monthLabel}}" width="300" height="424">
        <p>{{payments}}, {{reimbursed}} remboursés, {{pages}}.</p>
        <p><a class="bouton" href="/releves/{{month}}.pdf">Télécharger le PDF<span class="visuellement-cache"> du relevé de {{monthLabel}}</span></a></p>
        <p class="empreinte">Empreinte : {{fingerprint}}</p>
        <form method="post" action="/releves/{{month}}/duplicata">{{> csrf}}<button type="submit" class="secondaire">Demander un duplicata papier<span class="visuellement-cache"> du relevé de {{monthLabel}}</span></button></form>
        </li>
        {{/statements}}
        </ul>
        {{#hasYears}}
        <h2 id="titre-recapitulatif">Récapitulatif annuel</h2>
        <p>Vos remboursements d'une année close : totaux par bénéficiaire, par nature de soins et par mois, dans un PDF que qui le reçoit peut vérifier.</p>
        <form method="get" action="/recapitulatif.pdf" aria-labelledby="titre-recapitulatif">
        <label for="annee">Année</label>
        <select id="annee" name="annee">{{#years}}<option value="{{.}}">{{.}}</option>{{/years}}</select>
        <button type="submit" class="secondaire">Télécharger le récapitulatif</button>
        </form>
        {{/hasYears}}
        {{#hasRequests}}
        <h2>Mes demandes de duplicata</h2>
        <ul>{{#requests}}<li>Relevé de {{month}} : {{status}}</li>{{/requests}}</ul>
        {{/hasRequests}}
        """

    static let compte = """
        <h1>Mon compte</h1>
        <h2>Identité</h2>
        <p>{{name}} — NIR {{nir}}<br>{{caisse}}<br>{{address}}</p>
        <h2>Médecin traitant</h2>
        <p>{{doctor}}</p>
        <h2>Complémentaire et relevés papier</h2>
        <ul>{{#beneficiaries}}<li>{{name}} : {{complementaire}}</li>{{/beneficiaries}}</ul>
        <p>{{delivery}}</p>
        {{#federated}}<h2 id="titre-confirmation">Connexion avec {{provider}}</h2>
        {{#fresh}}<p>Votre identité vient d'être confirmée avec {{provider}} : vous pouvez changer votre adresse e-mail ou votre code, ou résilier votre compte, sans saisir de code, dans les {{freshDelay}} qui suivent votre connexion.</p>{{/fresh}}
        {{^fresh}}<p>Pour changer votre adresse e-mail ou votre code, ou pour résilier votre compte, confirmez d'abord votre identité avec {{provider}}.</p>
        <form method="post" action="/franceconnect/reauthentification">{{> csrf}}<input type="hidden" name="action" value="compte"><button type="submit" class="secondaire">Confirmer mon identité avec {{provider}}</button></form>{{/fresh}}
        {{/federated}}
        <h2 id="titre-email">Adresse e-mail</h2>
        <p>{{email}} {{#confirmed}}(confirmée){{/confirmed}}{{^confirmed}}(à confirmer : ouvrez le lien reçu par e-mail){{/confirmed}}</p>
        <form method="post" action="/compte/email" aria-labelledby="titre-email">
        {{> csrf}}
        <label for="email">Nouvelle adresse e-mail</label>
        <input id="email" name="email" type="email" autocomplete="email" required value="{{newEmail}}">
        {{^federated}}<label for="code-email">Code personnel actuel</label>
        <input id="code-email" name="code" type="password" inputmode="numeric" autocomplete="current-password" required>{{/federated}}
        <button type="submit" class="secondaire">Changer mon adresse e-mail</button>
        </form>
        <h2 id="titre-code">Code personnel</h2>
        <form method="post" action="/compte/code" aria-labelledby="titre-code">
        {{> csrf}}
        {{^federated}}<label for="actuel">Code personnel actuel</label>
        <input id="actuel" name="actuel" type="password" inputmode="numeric" autocomplete="current-password" required>{{/federated}}
        <label for="nouveau">Nouveau code personnel <span class="aide">{{codeLengths}}</span></label>
        <input id="nouveau" name="nouveau" type="password" inputmode="numeric" autocomplete="new-password" required>
        <label for="confirmation">Confirmez le nouveau code</label>
        <input id="confirmation" name="confirmation" type="password" inputmode="numeric" autocomplete="new-password" required>
        <button type="submit" class="secondaire">Changer mon code</button>
        </form>
        <h2>Résiliation</h2>
        <p>Vous pouvez résilier votre compte à tout moment : vos relevés vous seront de nouveau envoyés par courrier. <a href="/compte/resiliation">Résilier mon compte</a></p>
        """

    static let resiliation = """
        <h1>Résilier mon compte</h1>
        <p>Si vous résiliez votre compte :</p>
        <ul>{{#consequences}}<li>{{.}}</li>{{/consequences}}</ul>
        {{#error}}<p class="message erreur" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/compte/resiliation">
        {{> csrf}}
        {{^federated}}<label for="code">Code personnel</label>
        <input id="code" name="code" type="password" inputmode="numeric" autocomplete="current-password" required>{{/federated}}
        {{#federated}}{{^fresh}}<p>Confirmez d'abord votre identité avec {{provider}} depuis <a href="/compte">Mon compte</a>.</p>{{/fresh}}{{/federated}}
        <p class="case"><input id="confirmer" name="confirmer" type="checkbox" value="oui" required> <label for="confirmer">Je confirme vouloir résilier mon compte</label></p>
        <button type="submit" class="danger">Résilier mon compte</button>
        </form>
        <p><a href="/compte">Annuler et revenir à mon compte</a></p>
        """

    static let erreur = """
        <h1>{{heading}}</h1>
        <p>{{text}}</p>
        <p><a href="/">Revenir à l'accueil</a></p>
        """
}
