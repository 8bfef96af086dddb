"""Word material for generated bulletins: clauses cut from the seed's own body text.

Recombining real clauses keeps the character distribution of real Chinese news prose
(what the parser, slugger, OpenCC and the renderers chew on) without any outside data.
Only the seed's body paragraphs are used, recognised by shape (long or ending a
sentence), never by listing its headlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_aa11cc3685d42101.txt"

SENTENCE_END = "。！？"
CLAUSE_BREAK = "，。；！？：、"
PAIRS = {"“": "”", "《": "》", "(": ")", "（": "）", "‘": "’"}
CLOSERS = frozenset(PAIRS.values())
# Any character a column break must not sit next to: punctuation, quotes, brackets.
PUNCTUATION = frozenset(CLAUSE_BREAK + "“”‘’《》()（）…—-+%.")
BODY_MIN_CHARS = 30  # headlines, subheadings and bylines in the seed are all shorter

# Byline material. Common surnames and given-name characters, so bylines read as names.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱尹薛段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严武戴孔汤"
)
GIVEN = (
    "静伟芳娜敏强磊军洋勇艳杰娟涛明超秀霞平刚桂英华丽红梅玲建国志文斌宇浩凯鹏辉晨雪"
    "婷飞云峰琳俊欣怡佳轩涵雨博然诗群兰惠年祥翔瑞清宁海燕萍"
)
# Role words that precede names on a byline; the parser must drop them from authors.
ROLE_WORDS = ("本报记者", "记者", "通讯员", "本报通讯员", "文/图", "摄影")
# Offices that follow a place in "place + office + title" headlines.
OFFICES = (
    "应急管理局",
    "司法局",
    "税务局",
    "市场监管局",
    "人民法院",
    "人民检察院",
    "纪委监委",
    "教育局",
    "卫健委",
    "住建局",
    "农业农村局",
    "文旅局",
    "总工会",
    "生态环境局",
    "自然资源局",
    "委巡察组",
    "委组织部",
)
LEADS = ("近年来", "今年以来", "近日", "日前", "连日来")


@dataclass(frozen=True)
class Vocabulary:
    clauses: tuple[str, ...]  # body clauses without their trailing punctuation
    titles: tuple[str, ...]  # short clauses without digits: headline and subheading parts


def load_vocabulary(seed: Path = SEED, avoid_prefixes: frozenset[str] = frozenset()) -> Vocabulary:
    """Clauses of the seed's body paragraphs. Title material never starts with a place
    (``avoid_prefixes``, two-character starts), so a generated subheading cannot be
    mistaken for a headline by anyone, parser or reader."""
    text = seed.read_text(encoding="utf-8-sig")
    clauses: dict[str, None] = {}
    for paragraph in body_paragraphs(text):
        for clause in split_clauses(paragraph):
            if 2 <= len(clause) <= 60 and not any(ch in clause for ch in SENTENCE_END):
                clauses[clause] = None
    titles = tuple(
        clause
        for clause in clauses
        if 5 <= len(clause) <= 13
        and not any(ch.isdigit() or ch.isascii() for ch in clause)
        and clause[:2] not in avoid_prefixes
        and balanced(clause)
    )
    return Vocabulary(clauses=tuple(clauses), titles=titles)


def body_paragraphs(text: str) -> list[str]:
    """Lines long enough or ending a sentence, with column breaks crudely rejoined."""
    paragraphs: list[str] = []
    open_paragraph = False
    for raw in text.splitlines():
        line = raw.strip().lstrip("\u3000")
        if not line:
            continue
        is_body = len(line) >= BODY_MIN_CHARS or any(ch in line for ch in SENTENCE_END)
        if not is_body:
            open_paragraph = False
            continue
        if open_paragraph:
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
        open_paragraph = line[-1] not in SENTENCE_END + "”"
    return paragraphs


def split_clauses(paragraph: str) -> list[str]:
    """Split at clause punctuation outside quotes and brackets."""
    clauses: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(paragraph):
        if char in PAIRS:
            depth += 1
        elif char in CLOSERS:
            depth = max(0, depth - 1)
        elif char in CLAUSE_BREAK and depth == 0:
            clauses.append(paragraph[start:index])
            start = index + 1
    clauses.append(paragraph[start:])
    return [clause.strip() for clause in clauses if clause.strip()]


def balanced(text: str) -> bool:
    depth = 0
    for char in text:
        if char in PAIRS:
            depth += 1
        elif char in CLOSERS:
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
