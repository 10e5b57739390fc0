{
    "name": "Ukraine - Vchasno.Kasa fiscal receipts for Point of Sale",
    "summary": "Every paid Point of Sale order gets its Vchasno.Kasa fiscal "
    "receipt, on the ticket, without making the cashier wait",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/Point of Sale",
    "website": "https://github.com/vchasno-odoo/l10n_ua_vchasno_kasa",
    "author": "Vchasno Odoo team",
    "maintainers": ["vchasno-odoo"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "depends": ["l10n_ua_vchasno_kasa", "point_of_sale"],
    "data": [
        "security/ir.model.access.csv",
        "data/ir_config_parameter_data.xml",
        "views/pos_order_views.xml",
        "views/vchasno_receipt_views.xml",
        "views/pos_payment_method_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/vchasno_pos_demo.xml"],
    "assets": {
        "point_of_sale._assets_pos": [
            "l10n_ua_vchasno_kasa_pos/static/src/**/*",
        ],
        "web.assets_tests": [
            "l10n_ua_vchasno_kasa_pos/static/tests/tours/*.js",
        ],
    },
    "installable": True,
    "auto_install": True,
    "application": False,
}
