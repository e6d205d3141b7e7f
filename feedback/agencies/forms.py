"""The admin's form for an agency's own networks (its Wi-Fi and counters)."""

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import Length, ValidationError

from feedback.agencies.services import parse_networks
from feedback.core.forms import CleanForm


class NetworksForm(CleanForm):
    """Addresses or CIDR ranges, one per line (or separated by spaces or commas); empty: none."""

    networks = TextAreaField(_l("Own networks"), validators=[Length(max=4000)],
                             render_kw={"rows": 6, "spellcheck": "false", "autocapitalize": "off"})

    def validate_networks(self, field) -> None:
        """Every entry an address or a network, named in the message when it is not."""
        _parsed, bad = parse_networks([field.data or ""])
        if bad:
            raise ValidationError(_l(
                "Not an address or network: %(values)s. Write for example 203.0.113.7, "
                "203.0.113.0/24 or 2001:db8::/48; a network's address ends in zero bits "
                "(192.168.1.0/24, not 192.168.1.5/24).", values=", ".join(bad)))

    def parsed(self) -> list[str]:
        """The networks typed, normalized (call after validation)."""
        return parse_networks([self.networks.data or ""])[0]
