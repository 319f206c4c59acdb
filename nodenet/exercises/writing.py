"""A worksheet written out as Markdown, LaTeX or HTML: one content, three writers.

Names come from users, so every writer shows them literally: Markdown and
HTML escape them, LaTeX escapes its special characters.

Examples
--------
>>> from nodenet.exercises import worksheet
>>> sheet = worksheet("2-2-1", seed=7, ask=["H3_in"])
>>> print(sheet.text("key").splitlines()[0])
# Backpropagation by hand: answer key
>>> "\\\\begin{document}" in sheet.text("questions", "latex")
True
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from ..notation import bias_symbol, latex_escape, markdown_escape, signal_symbol, target_symbol, weight_symbol
from ..render import to_svg

if TYPE_CHECKING:
    from .sheet import Worksheet

__all__ = ["FORMATS", "write"]

FORMATS = ("markdown", "latex", "html")

# the activation, then its derivative, as the formulas write them (text, LaTeX)
_ACTIVATIONS = {
    "sigmoid": (
        ("σ(z) = 1/(1 + e^(−z))", r"\sigma(z) = 1/(1 + e^{-z})"),
        ("σ'(z) = (1 − σ(z))·σ(z)", r"\sigma'(z) = (1 - \sigma(z)) \cdot \sigma(z)"),
    ),
    "identity": (("α(z) = z (linear)", r"\alpha(z) = z"), ("α'(z) = 1", r"\alpha'(z) = 1")),
    "tanh": (("tanh(z)", r"\tanh(z)"), ("tanh'(z) = 1 − tanh(z)²", r"\tanh'(z) = 1 - \tanh^2(z)")),
    "relu": (("relu(z) = max(0, z)", r"\mathrm{relu}(z) = \max(0, z)"), ("relu'(z) = 1 if z > 0, else 0", r"\mathrm{relu}'(z) = [z > 0]")),
}


class _Markdown:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def esc(self, text: str) -> str:
        return markdown_escape(text)

    def heading(self, text: str, level: int = 1) -> None:
        self.parts.append("#" * level + " " + self.esc(text))

    def para(self, text: str) -> None:
        self.parts.append(self.esc(text))

    def items(self, lines: list[str]) -> None:
        self.parts.append("\n".join(f"- {self.esc(line)}" for line in lines))

    def formulas(self, pairs: list[tuple[str, str]]) -> None:
        self.items([text for text, _ in pairs])

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        lines = ["| " + " | ".join(self.esc(h) for h in header) + " |", "|" + " --- |" * len(header)]
        self.parts.append("\n".join(lines + ["| " + " | ".join(self.esc(c) for c in row) + " |" for row in rows]))

    def diagram(self, sheet: Worksheet) -> None:
        self.parts.append("![The network: weights on the arrows, biases in the nodes](network.svg)")

    def question(self, number: int, symbol: str, latex: str) -> None:
        self.parts.append(f"{number}\\. {self.esc(symbol)} = \\_\\_\\_\\_\\_\\_\\_\\_\\_\\_")

    def answer(self, number: int, symbol: str, latex: str, value: str, worked: str, worked_latex: str) -> None:
        self.parts.append(f"{number}\\. **{self.esc(symbol)} = {value}**  \n{self.esc(worked)}")

    def finish(self, title: str) -> str:
        return "\n\n".join(self.parts) + "\n"


class _Html(_Markdown):
    def esc(self, text: str) -> str:
        return html.escape(text, quote=True)

    def heading(self, text: str, level: int = 1) -> None:
        self.parts.append(f"<h{level}>{self.esc(text)}</h{level}>")

    def para(self, text: str) -> None:
        self.parts.append(f"<p>{self.esc(text)}</p>")

    def items(self, lines: list[str]) -> None:
        self.parts.append("<ul>" + "".join(f"<li>{self.esc(line)}</li>" for line in lines) + "</ul>")

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        head = "".join(f"<th>{self.esc(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{self.esc(c)}</td>" for c in row) + "</tr>" for row in rows)
        self.parts.append(f"<table><tr>{head}</tr>{body}</table>")

    def diagram(self, sheet: Worksheet) -> None:
        self.parts.append(f"<figure>{to_svg(sheet.diagram_network(), show='forward', decimals=2)}</figure>")

    def question(self, number: int, symbol: str, latex: str) -> None:
        self.parts.append(f'<p class="q">{number}. {self.esc(symbol)} = <span class="blank"></span></p>')

    def answer(self, number: int, symbol: str, latex: str, value: str, worked: str, worked_latex: str) -> None:
        self.parts.append(f'<p class="q">{number}. <b>{self.esc(symbol)} = {value}</b><br><code>{self.esc(worked)}</code></p>')

    def finish(self, title: str) -> str:
        style = (
            "body{font-family:DejaVu Sans,Helvetica,Arial,sans-serif;max-width:60em;margin:2em auto;line-height:1.5}"
            "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:0.2em 0.6em}"
            ".blank{display:inline-block;width:8em;border-bottom:1px solid #000}figure svg{max-width:100%;height:auto}"
            "code{white-space:pre-wrap}"
        )
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{self.esc(title)}</title>'
            f"<style>{style}</style></head><body>\n" + "\n".join(self.parts) + "\n</body></html>\n"
        )


# the formulas' Unicode in LaTeX's text mode, so that pdflatex needs no Unicode set-up
_LATEX_TEXT = {
    "Σ": r"$\Sigma$",
    "½": r"$\frac{1}{2}$",
    "·": r"$\cdot$",
    "−": r"$-$",
    "ŷ": r"$\hat{y}$",
    "²": r"$^2$",
    "∂": r"$\partial$",
    "λ": r"$\lambda$",
    "→": r"$\to$",
    "η": r"$\eta$",
    "σ": r"$\sigma$",
    "α": r"$\alpha$",
    "±": r"$\pm$",
    "ℓ": r"$\ell$",
}


class _Latex(_Markdown):
    def esc(self, text: str) -> str:
        return "".join(_LATEX_TEXT.get(char, char) for char in latex_escape(text))

    def heading(self, text: str, level: int = 1) -> None:
        self.parts.append(("\\section*{" if level == 1 else "\\subsection*{") + self.esc(text) + "}")

    def items(self, lines: list[str]) -> None:
        self.parts.append("\\begin{itemize}\n" + "\n".join(f"\\item {self.esc(line)}" for line in lines) + "\n\\end{itemize}")

    def formulas(self, pairs: list[tuple[str, str]]) -> None:
        self.parts.append("\\begin{itemize}\n" + "\n".join(f"\\item ${latex}$" for _, latex in pairs) + "\n\\end{itemize}")

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        lines = [" & ".join(self.esc(h) for h in header) + " \\\\ \\hline"] + [
            " & ".join(self.esc(c) for c in row) + " \\\\" for row in rows
        ]
        self.parts.append("\\begin{tabular}{" + "l" * len(header) + "}\n" + "\n".join(lines) + "\n\\end{tabular}")

    def diagram(self, sheet: Worksheet) -> None:
        self.parts.append("\\begin{center}\\includegraphics[width=0.9\\linewidth]{network.pdf}\\end{center}")

    def question(self, number: int, symbol: str, latex: str) -> None:
        self.parts.append(f"\\noindent {number}. ${latex} = $ \\rule{{4cm}}{{0.4pt}}")

    def answer(self, number: int, symbol: str, latex: str, value: str, worked: str, worked_latex: str) -> None:
        self.parts.append(f"\\noindent {number}. $\\mathbf{{{latex} = {value}}}$\n\\[ {worked_latex} \\]")

    def finish(self, title: str) -> str:
        preamble = (
            "\\documentclass[11pt]{article}\n\\usepackage[margin=2cm]{geometry}\n\\usepackage{amsmath}\n"
            "\\usepackage{graphicx}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\setlength{\\parskip}{0.6em}\n"
        )
        return preamble + "\\begin{document}\n" + "\n\n".join(self.parts) + "\n\\end{document}\n"


def write(sheet: Worksheet, *, key: bool, format: str) -> str:
    """The question sheet (``key=False``) or the answer key of ``sheet`` in ``format``."""
    writer = {"markdown": _Markdown, "html": _Html, "latex": _Latex}[format]()
    net, digits = sheet.network, sheet.digits
    title = "Backpropagation by hand: " + ("answer key" if key else "worksheet")
    writer.heading(title)
    writer.para(f"Seed {sheet.seed!r}; {len(sheet.questions)} questions. Made with nodenet.")
    writer.diagram(sheet)
    writer.heading("Given", 2)
    layers = [f"{node.name}: {node.kind}, {node.activation}" for node in net.nodes if node.kind != "input"]
    writer.items(
        [f"Inputs: {', '.join(f'{signal_symbol(n.name)} = {v:g}' for n, v in zip(net.inputs, sheet.inputs))}"]
        + [f"Targets: {', '.join(f'{target_symbol(n.name, numbered=net.numbered)} = {v:g}' for n, v in zip(net.outputs, sheet.targets))}"]
        + layers
        + [_loss_line(sheet), f"Learning rate: η = {sheet.lr:g}"]
    )
    writer.table(
        ["parameter", "where", "value"],
        [
            [weight_symbol(c.source.name, c.target.name, numbered=net.numbered), f"{c.source.name} → {c.target.name}", f"{c.weight:g}"]
            for c in net.connections
        ]
        + [
            [bias_symbol(n.name, numbered=net.numbered), f"bias of {n.name}", f"{(0.0 if n.bias is None else float(n.bias)):g}"]
            for n in net.nodes
            if n.kind != "input"
        ],
    )
    writer.heading("Formulas", 2)
    writer.formulas(_formulas(sheet))
    writer.heading("Rules", 2)
    writer.items(_rules(sheet))
    writer.heading("Answers" if key else "Questions", 2)
    for q in sheet.questions:
        if key:
            writer.answer(q.number, q.symbol, q.latex, f"{q.answer:.{digits}f}", q.worked, q.worked_latex)
        else:
            writer.question(q.number, q.symbol, q.latex)
    return writer.finish(title)


def _loss_line(sheet: Worksheet) -> str:
    if sheet.loss == "l2":
        return "Loss: L = ½·Σ (ŷ − y)² over the outputs, so ∂L/∂ŷ = (ŷ − y)"
    return "Loss: L = −Σ y·log(ŷ) over the outputs, so ∂L/∂ŷ = −y/ŷ"


def _formulas(sheet: Worksheet) -> list[tuple[str, str]]:
    """The general formulas, and each activation of the network with its derivative."""
    lines = [
        ("pre-activation: z = Σ λ·(the source's output) + b, over the incoming connections", r"z_j = \sum_i \lambda_{i,j} \cdot a_i + b_j"),
        ("output: a = α(z), the node's activation", r"a_j = \alpha(z_j)"),
    ]
    used = sorted({node.activation for node in sheet.network.nodes if node.kind != "input"})
    for name in used:
        value, derivative = _ACTIVATIONS.get(name, ((f"{name}(z)", rf"\mathrm{{{latex_escape(name)}}}(z)"), (f"{name}'(z)", "")))
        lines.append(value)
        if derivative[1]:
            lines.append(derivative)
    lines += [
        (
            "∂L/∂a = (the loss's derivative at an output) + Σ λ·∂L/∂z over the outgoing connections",
            r"\frac{\partial L}{\partial a_i} = \sum_j \lambda_{i,j} \cdot \frac{\partial L}{\partial z_j}",
        ),
        ("∂L/∂z = α'(z)·∂L/∂a", r"\frac{\partial L}{\partial z_j} = \alpha'(z_j) \cdot \frac{\partial L}{\partial a_j}"),
        (
            "∂L/∂λ = (the source's output)·∂L/∂z of the target",
            r"\frac{\partial L}{\partial \lambda_{i,j}} = a_i \cdot \frac{\partial L}{\partial z_j}",
        ),
        ("∂L/∂b = ∂L/∂z", r"\frac{\partial L}{\partial b_j} = \frac{\partial L}{\partial z_j}"),
        (
            "one step of gradient descent: new λ = λ − η·∂L/∂λ, new b = b − η·∂L/∂b",
            r"\lambda^{\mathrm{new}} = \lambda - \eta \cdot \frac{\partial L}{\partial \lambda}",
        ),
    ]
    return lines


def _rules(sheet: Worksheet) -> list[str]:
    digits, tolerance = sheet.digits, sheet.tolerance
    rules = [
        f"Give each answer with {digits} decimals; an answer within ±{tolerance:.{digits}f} of the key is right.",
        f"The key computes in double precision, rounds nothing along the way and rounds each answer to {digits} decimals at the "
        f"end; rounding your own intermediate results to {digits} decimals stays within the tolerance.",
        "Every update uses the gradients of this one sample (no batch), all computed before any parameter changes.",
    ]
    if sheet.rounded:
        rules.append("The weights, biases, inputs and targets are given with one or two decimals, so the arithmetic can be done by hand.")
    return rules
