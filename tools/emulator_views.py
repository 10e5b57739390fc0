"""A minimal HTML receipt page for the emulator's public links (demo only)."""

from html import escape

_PAGE = """<!DOCTYPE html>
<html lang="uk"><head><meta charset="utf-8">
<title>Чек {doccode}</title></head>
<body><h1>ТЕСТОВИЙ ЧЕК (емулятор Вчасно.Каса)</h1>
<p>Фіскальний номер: {doccode}<br>ФН ПРРО: {fisid}<br>Дата: {dt}</p>
<table border="1"><tr><th>Назва</th><th>К-сть</th><th>Ціна</th><th>Знижка</th></tr>
{rows}</table>
<p>Сума: {sum}</p>
</body></html>
"""
_ROW = "<tr><td>{name}</td><td>{cnt}</td><td>{price}</td><td>{disc}</td></tr>"


def receipt_page(document):
    """HTML of one emulated document (as listed by ``/_emulator/documents``)."""
    receipt = document.get("fiscal", {}).get("receipt") or {}
    rows = "\n".join(
        _ROW.format(
            name=escape(str(row.get("name", ""))),
            cnt=escape(str(row.get("cnt", ""))),
            price=escape(str(row.get("price", ""))),
            disc=escape(str(row.get("disc", 0))),
        )
        for row in receipt.get("rows", [])
        if isinstance(row, dict)
    )
    return _PAGE.format(
        doccode=escape(document["doccode"]),
        fisid=escape(document["fisid"]),
        dt=escape(document["dt"]),
        rows=rows,
        sum=escape(str(document.get("sum"))),
    )
