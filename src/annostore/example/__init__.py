"""The built-in example: synthetic sequences with planted sites, a PWM-convolution torch model
with real attributions, and the demo that runs the whole flow (``annostore demo``)."""
