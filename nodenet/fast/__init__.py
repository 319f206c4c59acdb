"""The fast paths: the textbook's numbers with fewer Python operations.

* :mod:`nodenet.fast.single`: one sample, on plain floats, bitwise equal to
  :mod:`nodenet.backprop`;
* :mod:`nodenet.fast.plan`: batches, one matrix product per level of the DAG,
  equal to the textbook to 1e-12 relative; :mod:`nodenet.fast.prepared`
  runs its passes over signal arrays whose slices it takes once;
* :mod:`nodenet.fast.edges`: the connections as arrays, for building plans.

They never import :mod:`nodenet.backprop` (nor it them), and they record
their results only through the public attributes of the nodes, the
network's parameter store and its :class:`~nodenet.freshness.PassRecord`.
"""
