"""Text pools of the open-ended answers: honest comments (Japanese and English) and gibberish.

Example
-------
>>> len(FIRM_COMMENTS_JA), len(FIRM_COMMENTS_EN), GIBBERISH[0]
(45, 22, 'asdfasdf')
"""

from __future__ import annotations

__all__ = ["CREATOR_COMMENTS_EN", "CREATOR_COMMENTS_JA", "FIRM_COMMENTS_EN", "FIRM_COMMENTS_JA",
           "GIBBERISH", "OPENERS_JA"]

#: what a gibberish open end says (a planted defect)
GIBBERISH = ("asdfasdf", "jjjjjjjj", "!!!!", "123123", "aaaaaaa", "????", "qweqwe",
             "xxxxxxxx", "0000", "hjkhjk")

#: openers put before longer Japanese comments, so that few comments repeat verbatim
OPENERS_JA = ("", "", "", "弊社では、", "正直なところ、", "現場の立場から言うと、", "個人的には、",
              "率直に言って、", "今のところ、")

#: honest open ends of the firm survey, Japanese and English
FIRM_COMMENTS_JA = (
    "円安でドル建てのクラウド利用料が上がっているので、価格の安定を望みます。",
    "社内にIT人材が不足しているため、導入支援があると助かります。",
    "海外のサービスは日本語サポートが不十分なことが多い。",
    "セキュリティに関するガイドラインを国が分かりやすく示してほしい。",
    "特になし",
    "補助金の申請手続きをもっと簡単にしてほしい。",
    "データの越境移転のルールが分かりにくい。",
    "生成AIの社内利用ルールづくりに悩んでいます。",
    "国産サービスの選択肢がもっと増えるとよい。",
    "従業員向けのデジタル研修が必要だと感じています。",
    "取引先とのシステム連携が一番の課題です。",
    "請求書や契約書の電子化をもっと進めたい。",
    "サブスクリプションの数が多く、管理が大変です。",
    "中小企業向けの相談窓口があると良いと思います。",
    "海外の決済サービスの手数料が高い。",
    "円建てで契約できるサービスを増やしてほしい。",
    "経営層の理解が進めば活用はもっと広がると思う。",
    "レガシーシステムからの移行費用が大きい。",
    "AIは便利だが情報漏えいが心配です。",
    "日本語の資料とサポート窓口の充実を希望します。",
    "地方拠点の通信環境を整備してほしい。",
    "サイバー攻撃への対策を強化したい。",
    "複数のツールを一元管理できる仕組みがほしい。",
    "価格改定が頻繁で予算が組みにくい。",
    "特にありません。",
    "ベンダーロックインが心配です。",
    "ISMAPの対象サービスを広げてほしい。",
    "人材育成への公的な支援があるとありがたい。",
    "海外拠点との情報共有がスムーズになった。",
    "社内のITリテラシー向上が課題です。",
    "導入効果をどう測ればよいか分からない。",
    "データ分析ができる人材がいない。",
    "税制優遇があれば投資しやすくなる。",
    "クラウド移行の成功事例をもっと知りたい。",
    "契約条件が英語のみで法務確認に時間がかかる。",
    "国内データセンターで運用されるサービスを選びたい。",
    "海外ベンダーとの契約更新のたびに値上げを提示される。",
    "生成AIの導入で資料作成の時間がかなり減った。",
    "同業他社の活用事例を共有する場があると参考になる。",
    "ITの専任担当者がおらず、社長が兼務している状態です。",
    "クラウド会計に切り替えてから経理が楽になった。",
    "取引先から指定されたツールを使わざるを得ない。",
    "外資系サービスの障害時の連絡が遅いのが不安。",
    "ライセンス体系が複雑で、最適なプランが分からない。",
    "特になし",
)
FIRM_COMMENTS_EN = (
    "Stable pricing in yen would help a lot.",
    "More Japanese-language support from overseas vendors.",
    "Clearer rules on cross-border data transfers.",
    "Training for our staff on cloud and AI tools.",
    "Subsidies for small firms to adopt SaaS.",
    "Better integration between domestic and foreign tools.",
    "A security certification our customers recognise.",
    "Nothing in particular.",
    "Lower payment processing fees.",
    "Help with migrating our legacy systems.",
    "Predictable licence costs; the weak yen hurts.",
    "Contracts governed by Japanese law would make procurement easier.",
    "Our IT team is two people, so simple setup matters most.",
    "Generative AI saves us hours on reports every week.",
    "Vendor support hours do not match Japan business hours.",
    "We need clearer guidance on storing customer data abroad.",
    "Bundled pricing for small teams would help.",
    "Case studies from similar Japanese manufacturers.",
    "Faster invoicing in yen instead of dollars.",
    "More local partners who can implement these tools.",
    "Stable APIs; frequent changes break our integrations.",
    "Nothing specific at the moment.",
)
#: honest open ends of the creators survey, Japanese and English
CREATOR_COMMENTS_JA = (
    "動画編集ソフトのサブスク料金が上がって負担が大きい。",
    "海外のファンに届けるには配信プラットフォームが欠かせない。",
    "生成AIと著作権の関係をはっきりさせてほしい。",
    "海外からの収益の送金手数料が高い。",
    "翻訳ツールのおかげで海外の案件が増えた。",
    "プラットフォームの手数料が高すぎると思う。",
    "特になし",
    "クラウドで海外のスタッフと共同作業しています。",
    "海外収入の税務手続きが分かりにくい。",
    "円安で海外向けの販売が伸びている。",
    "イラストの無断転載への対策を強化してほしい。",
    "音楽配信の収益分配が不透明です。",
    "海外のSNSの規約変更に振り回されている。",
    "素材サイトのライセンスが分かりにくい。",
)
CREATOR_COMMENTS_EN = (
    "Platform fees keep rising.",
    "Overseas fans find us through streaming platforms.",
    "Clear rules on AI training data, please.",
    "Payments from abroad take too long to arrive.",
    "Cloud tools let me work with a team in Korea.",
)
