/// The one stylesheet: system fonts, high contrast (text #1b1b1b on white, links #0b4f9c: both
/// above 7:1), visible focus, readable down to a 320-pixel phone.
enum Stylesheet {
    static let css = """
        *,*::before,*::after{box-sizing:border-box}
        html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;font-size:100%;line-height:1.5;color:#1b1b1b;background:#fff}
        body{margin:0}
        a{color:#0b4f9c}
        a:hover{text-decoration-thickness:2px}
        :focus-visible{outline:3px solid #b34000;outline-offset:2px}
        .evitement{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
        .evitement:focus{left:.5rem}
        .bandeau{background:#0b3b75;color:#fff;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
        .bandeau a{color:#fff}
        .marque{font-weight:700;font-size:1.35rem;text-decoration:none}
        .bandeau nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center}
        .bandeau nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
        .bandeau button{background:none;border:1px solid #fff;color:#fff;padding:.2rem .6rem;font:inherit;cursor:pointer;border-radius:3px}
        main{max-width:80rem;margin:0 auto;padding:1rem}
        h1{font-size:1.6rem;margin:.5rem 0 1rem}
        h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
        .colonnes{display:grid;grid-template-columns:repeat(auto-fit,minmax(17rem,1fr));gap:1.5rem}
        .carte{border:1px solid #8a8a8a;border-radius:6px;padding:1rem 1.25rem}
        label{display:block;font-weight:600;margin:.75rem 0 .25rem}
        .aide{display:block;font-weight:400;color:#3a3a3a;font-size:.9rem}
        input[type=text],input[type=password],input[type=email],input[type=date],select{width:100%;max-width:24rem;padding:.5rem;font:inherit;border:1px solid #555;border-radius:4px}
        .case label{display:inline;font-weight:400}
        button,.bouton{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;color:#fff;background:#0b4f9c;border:0;border-radius:4px;cursor:pointer;text-decoration:none}
        .secondaire{background:#fff;color:#0b4f9c;border:2px solid #0b4f9c}
        .danger{background:#a4161a}
        .message{padding:.75rem 1rem;border-left:5px solid #0b4f9c;background:#eef4fb}
        .message.erreur{border-color:#a4161a;background:#fbeeee}
        .message.succes{border-color:#18753c;background:#eaf5ee}
        .etapes{list-style:none;display:flex;flex-wrap:wrap;gap:.5rem;padding:0;margin:0 0 1rem}
        .etapes li{padding:.25rem .75rem;border:1px solid #8a8a8a;border-radius:99px}
        .etapes li[aria-current=step]{background:#0b3b75;color:#fff;border-color:#0b3b75;font-weight:700}
        table{border-collapse:collapse;width:100%;margin:.5rem 0}
        caption{text-align:left;font-weight:600;padding:.25rem 0}
        th,td{border-bottom:1px solid #bbb;padding:.4rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
        th{white-space:nowrap}
        .tableau table{font-size:.95rem}
        th{background:#f0f0f0}
        .montant{text-align:right;white-space:nowrap}
        .tableau{overflow-x:auto}
        @media (max-width:48rem){
        .tableau thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
        .tableau table,.tableau caption,.tableau tbody,.tableau tr,.tableau td{display:block;width:100%}
        .tableau tr{border:1px solid #8a8a8a;border-radius:6px;margin:0 0 .75rem;padding:.25rem .5rem}
        .tableau td{border:0;padding:.15rem 0;text-align:right;display:flex;justify-content:space-between;gap:1rem}
        .tableau td::before{content:attr(data-label);font-weight:600;text-align:left}
        .tableau td.montant{white-space:normal}
        }
        .filtres{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end}
        .filtres label{margin-top:.5rem}
        .releves{list-style:none;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:1rem}
        .releves img{width:100%;height:auto;border:1px solid #8a8a8a}
        .empreinte{font-family:"DejaVu Sans Mono",monospace;font-size:.75rem;word-break:break-all;color:#3a3a3a}
        .conditions{max-height:20rem;overflow:auto;border:1px solid #8a8a8a;padding:.5rem 1rem;white-space:pre-wrap}
        footer{max-width:80rem;margin:2rem auto;padding:1rem;border-top:1px solid #bbb;font-size:.9rem;color:#3a3a3a}
        .graphique svg{max-width:100%;height:auto}
        .visuellement-cache{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        .separateur{margin:1rem 0 0;text-align:center;color:#4a4a4a}
        .franceconnect p{margin:.4rem 0 0;font-size:.9rem}
        .franceconnect-bouton{display:inline-flex;flex-direction:column;align-items:flex-start;background:#000091;padding:.5rem 1.5rem .6rem 1.25rem;line-height:1.25}
        .franceconnect-bouton:hover,.franceconnect-bouton:focus{background:#1212ff}
        .franceconnect-login{font-weight:400;font-size:.95rem}
        .franceconnect-marque{font-weight:700;font-size:1.1rem}
        @media (max-width:30rem){h1{font-size:1.35rem}main{padding:.75rem}}
        """
}
