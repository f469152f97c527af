"""A generated German talk for the speech benchmarks: several espeak-ng voices, with pauses.

The text is the seed page's own German plus paragraphs in the same register; one pause is
long (18 s), the kind after which plain sequential decoding was seen to drop a paragraph.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from mediaarchive import synth

VOICES = ("de", "de+m3", "de+f3", "de+m1")

PARAGRAPHS = [
    "Mit einem Impuls von Professor Mark Hallerberg, Dean der Hertie School Berlin, haben wir "
    "eine neue Themenreihe begonnen: Lebenszyklen von Innovationslaboren.",
    "In der ersten Veranstaltung lag der Fokus auf der Frühphase mit Gründung und Aufbau einer "
    "Innovationseinheit. Gemeinsam haben wir überlegt, womit das ideale Labor ins Leben starten "
    "würde und welche Entscheidungen es treffen müsste.",
    "Außerdem hat Professor Michael Hölscher von der Verwaltungsuniversität Speyer den aktuellen "
    "Stand des Atlas der Innovation vorgestellt. Gemeinsam möchten wir weitere "
    "Nutzungsmöglichkeiten ausloten.",
    "Dieses Mal hatte das Stadtlabor Soest die Gastgeberrolle inne. Das Stadtlabor ist der Raum, "
    "in dem Fragen der digitalen Stadtentwicklung und neue Arbeitsformen der Verwaltung mit "
    "Bürgerinnen und Bürgern diskutiert werden.",
    "Neue Technologien werden dort selbst ausprobiert und aktuelle Projekte vorgestellt. Dazu "
    "macht das Stadtlabor eigene Veranstaltungen oder stellt gemeinsam mit "
    "Kooperationspartnern ein Angebot auf die Beine.",
    "Das Stadtlabor ist eine Einrichtung der Stadt Soest und wird im Rahmen des Projektes "
    "Digitale Modellkommunen vom Wirtschaftsministerium des Landes Nordrhein-Westfalen "
    "gefördert.",
    "Die Hertie School in Berlin bereitet junge Menschen auf Führungsaufgaben im öffentlichen "
    "Bereich, in der Privatwirtschaft und der Zivilgesellschaft vor. Sie bietet "
    "Masterstudiengänge und Doktorandenprogramme an.",
    "Als Hochschule mit interdisziplinärer und praxisorientierter Lehre setzt sich die Hertie "
    "School auch in der öffentlichen Debatte für gute Regierungsführung und moderne "
    "Staatlichkeit ein.",
    "Am Nachmittag haben wir in kleinen Gruppen gearbeitet. Jede Gruppe hat einen Prototypen "
    "für ein neues Angebot der Verwaltung entworfen und ihn danach im Plenum vorgestellt.",
    "Die Ergebnisse waren sehr unterschiedlich. Eine Gruppe hat eine digitale Sprechstunde für "
    "Bürgerinnen und Bürger entwickelt, eine andere ein Verfahren für schnellere Genehmigungen.",
    "Wichtig war allen Teilnehmenden, dass ein Labor nicht nur Ideen sammelt, sondern sie auch "
    "umsetzt. Dafür braucht es Rückhalt in der Leitung, ein eigenes Budget und Zeit zum "
    "Ausprobieren.",
    "Zum Schluss haben wir über die nächsten Termine gesprochen. Die nächste Veranstaltung der "
    "Reihe widmet sich der Wachstumsphase, wenn aus einem kleinen Team eine feste Einrichtung "
    "wird.",
    "Wir danken allen Mitwirkenden für die offene Diskussion und freuen uns auf das nächste "
    "Treffen im Innovationslabor. Die Unterlagen und das Miro-Board stehen allen Beteiligten "
    "zur Verfügung.",
    "Ein besonderer Dank geht an das Team in Soest für die Gastfreundschaft, die gute "
    "Organisation und den Kaffee, der den ganzen Tag nicht ausgegangen ist.",
    "Viele Kommunen fragen uns, wie man ein solches Labor finanziert. Meist beginnt es mit "
    "Fördermitteln des Landes, doch nach drei bis fünf Jahren muss die Stadt selbst "
    "entscheiden, ob sie die Arbeit dauerhaft fortsetzt.",
    "Dafür hilft es, Wirkung sichtbar zu machen: Welche Verfahren wurden einfacher, welche "
    "Angebote nutzen die Menschen wirklich, und was hat die Verwaltung dabei gelernt?",
    "Im Atlas der Innovation finden sich inzwischen mehr als hundert Labore aus ganz "
    "Deutschland. Jedes Labor kann dort sein Profil pflegen und Ansprechpartner nennen.",
    "Wer mitmachen möchte, meldet sich einfach beim Team der Verwaltungsuniversität Speyer. "
    "Wir freuen uns auf viele neue Einträge und auf ein Wiedersehen beim nächsten Labcamp.",
]

#: Pause after each paragraph in seconds (one long one: after paragraph 4).
PAUSES = [1.5, 2.5, 1.0, 18.0, 2.0, 3.0, 1.0, 4.0, 1.5, 2.0, 6.0, 1.0, 2.5, 1.5, 2.0, 3.0, 1.0, 0.0]

#: Names and jargon an archivist would give as metadata or glossary.
GLOSSARY = [
    "Hallerberg",
    "Hertie School",
    "Hölscher",
    "Speyer",
    "Soest",
    "Stadtlabor",
    "Innovationslabor",
    "Miro-Board",
]


def build_talk(repeat: int = 1, speed: int = 140) -> tuple[Path, str]:
    """The talk as 16 kHz mono WAV (repeated ``repeat`` times) and its reference text."""
    parts: list[Path] = []
    for _ in range(repeat):
        for i, paragraph in enumerate(PARAGRAPHS):
            parts.append(synth.speech_wav(paragraph, VOICES[i % len(VOICES)], speed))
            if PAUSES[i] > 0:
                parts.append(synth.silence_wav(PAUSES[i]))
    out = synth.cache_dir() / f"bench-talk-x{repeat}-s{speed}-{len(parts)}.wav"
    if not out.exists():
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
            for part in parts:
                listing.write(f"file '{part}'\n")
        tmp = out.with_suffix(".tmp.wav")
        try:
            subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "concat",
                    "-safe",
                    "0",
                    "-i",
                    listing.name,
                    "-ar",
                    "16000",
                    "-ac",
                    "1",
                    "-c:a",
                    "pcm_s16le",
                    str(tmp),
                ],
                check=True,
            )
        finally:
            os.unlink(listing.name)
        os.replace(tmp, out)
    return out, " ".join(PARAGRAPHS * repeat)
