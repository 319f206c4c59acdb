"""Stop in the debugger just before a node of the chapter's network is computed.

Run ``python examples/debugging.py``: pdb opens in ``nodenet.backprop.forward_node``,
the textbook's formula for one node, right before ``H5`` is computed.  Try
``ll`` (the whole formula), ``p node``, ``n`` (one line at a time: each pass
through the loop adds one term ``conn.weight * conn.source.post``),
``p conn, conn.weight, conn.source.post`` (the term's parts), ``p pre`` (the
sum so far), ``r`` (the rest of the node), ``p node`` and ``c`` (finish the pass).
"""

import nodenet

net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
prediction = net.forward([0.5, 0.2, 0.7], stop_at="H5")
print(f"prediction O6 = {prediction[0]:.6f}")
