"""ReportLab baseline for docs/BENCHMARKS.md: the same one-page statement as `releve-bench rendu`
(15 lines, address block, totals, 6-bar chart, footer), rendered N times on one core.

    python3 docs/bench/reportlab_statement.py 2000
"""
import io
import sys
import time

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
pdfmetrics.registerFont(TTFont("DejaVu-Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"))

ROWS = []
for p in range(5):
    ROWS.append(("Paiement du %02d/10/2026 — versé sur votre compte — 15,19 €" % (5 + p * 5), None))
    ROWS.append(("%02d/10/2026" % (2 + p * 5), "Jean", "Consultation généraliste (G)", "30,00", "30,00", "70 %", "21,00"))
    ROWS.append(("%02d/10/2026" % (2 + p * 5), "Jean", "Pharmacie (vignette blanche) (PH7) ×2", "12,60", "12,60", "65 %", "8,19"))
    ROWS.append(("%02d/10/2026" % (2 + p * 5), "Jean", "Participation forfaitaire", "", "", "", "-2,00"))


def statement(index):
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    w, h = A4
    c.setFont("DejaVu-Bold", 13)
    c.drawString(42, h - 52, "CPAM de Paris")
    c.setFont("DejaVu", 9)
    for i, (label, value) in enumerate([("Assuré(e)", "M. Jean MARTIN"), ("N° de sécurité sociale", "1 70 12 75 112 034 23"),
                                        ("Référence", "REL-751-202610-%d" % index), ("Émis le", "01/11/2026")]):
        c.drawString(42, h - 95 - i * 13, label)
        c.drawString(150, h - 95 - i * 13, value)
    c.setFont("DejaVu", 10.5)
    for i, line in enumerate(["M. Jean MARTIN", "12 rue de Charenton", "75012 PARIS"]):
        c.drawString(318, h - 150 - i * 13, line)
    c.setFont("DejaVu-Bold", 15)
    c.drawString(42, h - 262, "Relevé mensuel de vos remboursements — octobre 2026")
    y = h - 300
    c.setFont("DejaVu-Bold", 8)
    for x, title in [(44, "Soins du"), (100, "Bénéficiaire"), (158, "Nature de la prestation")]:
        c.drawString(x, y, title)
    for x, title in [(384, "Payé"), (438, "Base"), (476, "Taux"), (551, "Remboursé")]:
        c.drawRightString(x, y, title)
    for row in ROWS:
        y -= 13
        if row[1] is None:
            c.setFont("DejaVu-Bold", 9.5)
            c.drawString(42, y, row[0])
            continue
        c.setFont("DejaVu", 9)
        c.drawString(44, y, row[0])
        c.drawString(100, y, row[1])
        c.drawString(158, y, row[2])
        for x, value in zip((384, 438, 476, 551), row[3:]):
            c.drawRightString(x, y, value)
    y -= 30
    c.rect(232, y - 70, 321, 84)
    for label, value in [("Montant payé aux professionnels", "213,00 €"), ("Base de remboursement", "213,00 €"),
                         ("Remboursé pour les actes", "145,95 €"), ("Participations et franchises", "-10,00 €"),
                         ("Total remboursé", "135,95 €"), ("Reste à charge", "77,05 €")]:
        c.setFont("DejaVu", 9.5)
        c.drawString(240, y, label)
        c.drawRightString(545, y, value)
        y -= 13
    y -= 40
    c.setFont("DejaVu-Bold", 9.5)
    c.drawString(42, y, "Vos remboursements des 6 derniers mois")
    base = y - 100
    for i in range(6):
        height = 60 * (i + 1) / 6
        c.rect(60 + i * 85, base, 40, height, fill=1, stroke=0)
        c.setFont("DejaVu", 8)
        c.drawCentredString(80 + i * 85, base + height + 3, "%d,00 €" % (10 * (i + 1)))
        c.drawCentredString(80 + i * 85, base - 12, ["mai", "juin", "juil.", "août", "sept.", "oct."][i])
    c.setFont("DejaVu", 8)
    c.drawString(42, 46, "Référence REL-751-202610-%d" % index)
    c.drawRightString(553, 46, "Page 1/1")
    c.drawString(42, 36, "Empreinte SHA-256 : " + "ab" * 32)
    c.showPage()
    c.save()
    return len(buffer.getvalue())


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    statement(0)
    start = time.perf_counter()
    total = sum(statement(i) for i in range(count))
    elapsed = time.perf_counter() - start
    print("reportlab: %d statements in %.2f s = %.0f statements/s on one core (%d bytes each)" % (count, elapsed, count / elapsed, total // count))


main()
