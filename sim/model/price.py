"""The street price sellers set, the full price buyers pay, and how demand answers it.

Sellers price to cover their costs, and the main cost of retail selling is the risk of arrest:
a crackdown that raises the risk sellers perceive raises the price they ask (Reuter and Kleiman
1986's risks and prices), only the risk share of the price (about a third at retail, Caulkins and
Reuter 1998, 2010) moving with it. Buyers pay that price per pure gram and their own time
searching (Moore 1973's full price); spending, participation, initiation and progression to
dependence answer the full price at published or assumed elasticities.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.params import Section, param


class PriceParams(Section):
    """Street price, full price and the price elasticities of demand."""

    reference_price: float = param(
        40.0,
        unit="GBP/gram",
        doc="Street price of a gram of heroin when sellers perceive the usual (reference) risk.",
        source="assumption: UK street heroin about GBP 40 a gram in Home Office and UNODC price series",
        plausible=(30.0, 60.0),
        gt=0.0,
    )
    risk_share: float = param(
        0.3,
        unit="fraction",
        doc="Share of the street price that compensates sellers for the risk of arrest; this part "
        "moves in proportion to the risk sellers perceive, the rest (product, labour) does not.",
        source="risk is the largest cost of retail selling, about a third of the price (Caulkins and Reuter "
        "1998; Caulkins and Reuter 2010; Reuter and Kleiman 1986)",
        plausible=(0.1, 0.5),
        ge=0.0,
        le=1.0,
    )
    reference_risk: float = param(
        0.0065,
        unit="probability/day",
        doc="Daily arrest risk sellers perceive in the default town once settled (the reference for "
        "the price; sellers start at it).",
        source="assumption: the mean perceived risk of the default town's sellers over its second year",
        plausible=(0.003, 0.012),
        gt=0.0,
    )
    price_adjust_days: float = param(
        30.0,
        unit="days",
        doc="Time over which the street price moves towards what sellers' risk calls for (prices are sticky).",
        source="assumption",
        plausible=(7.0, 120.0),
        ge=1.0,
    )
    value_of_time: float = param(
        6.0,
        unit="GBP/hour",
        doc="What an hour spent searching for a seller costs a buyer (Moore 1973's full price).",
        source="assumption: below the minimum wage; the full price of Moore 1973",
        plausible=(2.0, 12.0),
        ge=0.0,
    )
    reference_search_hours: float = param(
        0.9,
        unit="hours",
        doc="Mean search time in the default town: the reference for the full-price index.",
        source="assumption: the default town's mean search time",
        plausible=(0.4, 1.5),
        gt=0.0,
    )
    occasional_price_elasticity: float = param(
        -0.85,
        unit="elasticity",
        doc="Elasticity of the buying days of people using occasionally with the full price.",
        source="participation elasticity about -0.8 to -0.9 (Saffer and Chaloupka 1999; NRC 2001); among "
        "arrestees about -0.09 (Dave 2008)",
        plausible=(-1.0, -0.09),
        le=0.0,
    )
    initiation_price_elasticity: float = param(
        -0.85,
        unit="elasticity",
        doc="Elasticity of the number of people starting to use with the full price.",
        source="assumption: as participation (Saffer and Chaloupka 1999; Dave 2008)",
        plausible=(-1.0, -0.09),
        le=0.0,
    )
    progression_price_elasticity: float = param(
        -0.5,
        unit="elasticity",
        doc="Elasticity of the hazard of occasional use becoming dependent with the full price.",
        source="assumption",
        plausible=(-1.0, 0.0),
        le=0.0,
    )
    dependent_price_elasticity: float = param(
        -0.3,
        unit="elasticity",
        doc="Elasticity of the (pure) quantity a person with dependent use buys with the full price; spending is "
        "that quantity at the purity-adjusted price, so with inelastic demand a dearer market means "
        "more spent, and more crime to fund it.",
        source="people using heavily respond least; dependent use inelastic (NRC 2001)",
        plausible=(-0.6, -0.1),
        le=0.0,
    )


@dataclass(frozen=True)
class PriceSignal:
    """Today's prices as buyers meet them and what they do to demand; all 1 in the settled default town."""

    #: Purity-adjusted money price relative to the reference price at average purity.
    relative_price: float = 1.0
    #: Full price (money for the usual day of a person with dependent use plus time searching) relative to reference.
    full_price: float = 1.0
    #: Multiplier on the buying days of people using occasionally.
    buying: float = 1.0
    #: Multiplier on the rate of people starting to use.
    initiation: float = 1.0
    #: Multiplier on the hazard of occasional use becoming dependent.
    progression: float = 1.0
    #: Multiplier on the pure quantity a person with dependent use buys on a buying day.
    dependent_quantity: float = 1.0

    @property
    def dependent_spend(self) -> float:
        """Multiplier on the spending of a person with dependent use: quantity x purity-adjusted price."""
        return self.dependent_quantity * self.relative_price


class StreetPrice:
    """The street price per gram, moving towards what covers sellers' perceived risk."""

    def __init__(self, params: PriceParams) -> None:
        self.p = params
        #: Today's price per gram of street (not pure) heroin (GBP).
        self.price = params.reference_price

    def target(self, perceived_risk: float) -> float:
        """The price per gram that covers the risk sellers perceive (GBP)."""
        p = self.p
        return p.reference_price * (1.0 - p.risk_share + p.risk_share * perceived_risk / p.reference_risk)

    def adjust(self, perceived_risk: float) -> float:
        """Move one day towards the risk-covering price; returns today's price."""
        self.price += (self.target(perceived_risk) - self.price) / self.p.price_adjust_days
        return self.price

    def signal(self, purity_ratio: float, search_hours: float, usual_spend: float) -> PriceSignal:
        """Today's relative purity-adjusted price and full-price index.

        `purity_ratio` is purity over its average, `search_hours` the buyers' recent search time,
        `usual_spend` what a person with dependent use spends a day at the reference price (GBP).
        """
        p = self.p
        relative = (self.price / p.reference_price) / purity_ratio
        full = (usual_spend * relative + p.value_of_time * search_hours) / (
            usual_spend + p.value_of_time * p.reference_search_hours
        )
        return PriceSignal(
            relative,
            full,
            buying=full**p.occasional_price_elasticity,
            initiation=full**p.initiation_price_elasticity,
            progression=full**p.progression_price_elasticity,
            dependent_quantity=full**p.dependent_price_elasticity,
        )
