"""Stop in the debugger just before a node of the chapter's network is computed.

Run ``python examples/debugging.py``: pdb opens inside the forward pass, right
before ``H5`` is computed, with ``node`` (H5) and ``incoming`` (its
connections) as locals.  Try ``p node``, ``p [conn.weight * conn.source.post
for conn in incoming]`` (the terms it adds up), ``n`` (one line at a time),
``r`` (the rest of the node), ``p node.pre``, ``c`` (finish the pass).
"""

import nodenet

net = nodenet.Network.from_layers([3, 2, 1], hidden="sigmoid", output="identity", seed=13)
prediction = net.forward([0.5, 0.2, 0.7], stop_at="H5")
print(f"prediction O6 = {prediction[0]:.6f}")
