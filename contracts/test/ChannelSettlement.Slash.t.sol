// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

/// @notice slash: equivocation evidence, the reward split, and every way evidence can be wrong.
contract ChannelSettlementSlashTest is ChannelFixture {
    bytes32 internal id;
    address internal reporter = address(0x5eed);

    function setUp() public override {
        super.setUp();
        id = _open(4, 3);
        _bond(id, 1, 1 ether);
    }

    function _pair(uint256 author, uint64 seq)
        internal
        view
        returns (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b)
    {
        a = _header(id, author, seq, keccak256("ops A"));
        b = _header(id, author, seq, keccak256("ops B"));
    }

    function test_Slash_TakesWholeBondOnceAndSharesIt() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        bytes32 idA = settlement.hashBlock(id, a);
        bytes32 idB = settlement.hashBlock(id, b);

        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Slashed(
            id, wallets[1], reporter, IChannelSettlement.Offence.DoubleSpending, 1 ether, idA, idB
        );
        vm.prank(reporter);
        settlement.slash(id, a, b);

        // 1 ether split among participants 0, 2 and 3; 1 ether / 3 leaves 1 wei of remainder, which goes to
        // participant 0 (the lowest index). The reporter gets nothing.
        uint256 share = uint256(1 ether) / 3;
        vm.assertEq(settlement.owed(reporter, address(0)), 0, "reporter");
        vm.assertEq(settlement.owed(wallets[0], address(0)), share + 1, "participant 0");
        vm.assertEq(settlement.owed(wallets[2], address(0)), share, "participant 2");
        vm.assertEq(settlement.owed(wallets[3], address(0)), share, "participant 3");
        vm.assertEq(settlement.owed(wallets[1], address(0)), 0, "author gets nothing");
        IChannelSettlement.ParticipantInfo memory m = settlement.getParticipant(id, wallets[1]);
        vm.assertTrue(m.slashed, "marked");
        vm.assertEq(m.bond, 0, "bond taken");

        uint256 before = wallets[2].balance;
        vm.prank(wallets[2]);
        settlement.withdraw(address(0));
        vm.assertEq(wallets[2].balance - before, share, "participant paid");
    }

    function test_Slash_ReporterWhoIsParticipantGetsItsShareOnly() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        vm.prank(wallets[3]);
        settlement.slash(id, a, b);
        uint256 share = uint256(1 ether) / 3;
        vm.assertEq(settlement.owed(wallets[3], address(0)), share, "its share, nothing for reporting");
    }

    function test_Slash_BlockIdMatchesTypedDataSpec() public view {
        IChannelSettlement.BlockHeader memory h = _header(id, 2, 9, keccak256("ops"));
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "Block(bytes32 channelId,address author,uint64 seq,uint64 round,uint64 time,bytes32 prev,bytes32 parentsHash,bytes32 opsHash)"
                ),
                id,
                h.author,
                h.seq,
                h.round,
                h.time,
                h.prev,
                h.parentsHash,
                h.opsHash
            )
        );
        vm.assertEq(
            settlement.hashBlock(id, h),
            keccak256(abi.encodePacked(hex"1901", settlement.domainSeparator(), structHash)),
            "block id"
        );
    }

    function test_RevertWhen_SlashedTwice() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        settlement.slash(id, a, b);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAlreadySlashed.selector, id, wallets[1])
        );
        settlement.slash(id, a, b);
        (a, b) = _pair(1, 8); // fresh evidence does not slash again either
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAlreadySlashed.selector, id, wallets[1])
        );
        settlement.slash(id, b, a);
        // and the slashed author cannot bond again in this channel
        vm.deal(wallets[1], 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementParticipantSlashed.selector, id, wallets[1])
        );
        vm.prank(wallets[1]);
        settlement.bond{value: 1 ether}(id);
    }

    function test_RevertWhen_IdenticalPair() public {
        IChannelSettlement.BlockHeader memory a = _header(id, 1, 7, keccak256("ops A"));
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementIdenticalBlocks.selector, settlement.hashBlock(id, a)
            )
        );
        settlement.slash(id, a, a);
    }

    function test_RevertWhen_SameBlockWithMalleatedSignature() public {
        IChannelSettlement.BlockHeader memory a = _header(id, 1, 7, keccak256("ops A"));
        IChannelSettlement.BlockHeader memory twin = _header(id, 1, 7, keccak256("ops A"));
        twin.signature = _highS(a.signature);
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementIdenticalBlocks.selector, settlement.hashBlock(id, a)
            )
        );
        settlement.slash(id, a, twin);
    }

    function test_RevertWhen_EvidenceSignatureMalformed() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        bytes memory good = b.signature;
        bytes[4] memory bad = [_highS(good), _compact(good), _withV(good, 29), new bytes(65)];
        for (uint256 i = 0; i < bad.length; ++i) {
            b.signature = bad[i];
            vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSignature.selector, 1));
            settlement.slash(id, a, b);
        }
    }

    function test_RevertWhen_DifferentSeqsAndRounds() public {
        IChannelSettlement.BlockHeader memory a = _header(id, 1, 7, keccak256("ops A"));
        IChannelSettlement.BlockHeader memory b = _header(id, 1, 8, keccak256("ops B"));
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNoEquivocation.selector, 7, 8, 7, 8)
        );
        settlement.slash(id, a, b);
    }

    function test_RevertWhen_DifferentAuthors() public {
        IChannelSettlement.BlockHeader memory a = _header(id, 1, 7, keccak256("ops A"));
        IChannelSettlement.BlockHeader memory b = _header(id, 2, 7, keccak256("ops B"));
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAuthorMismatch.selector, wallets[1], wallets[2])
        );
        settlement.slash(id, a, b);
    }

    function test_RevertWhen_AuthorIsOutsider() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        a.author = address(0xbad);
        b.author = address(0xbad);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNotParticipant.selector, id, address(0xbad))
        );
        settlement.slash(id, a, b);
    }

    function test_RevertWhen_EvidenceFromAnotherChannel() public {
        IChannelSettlement.OpenParams memory p = _params(4, 3);
        p.nonce = 2;
        bytes32 other = _open(p); // same wallets and session keys
        IChannelSettlement.BlockHeader memory a = _header(other, 1, 7, keccak256("ops A"));
        IChannelSettlement.BlockHeader memory b = _header(other, 1, 7, keccak256("ops B"));
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementWrongSigner.selector);
        settlement.slash(id, a, b);
    }

    function test_RevertWhen_EvidenceFromAnotherChain() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        vm.chainId(1);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementWrongSigner.selector);
        settlement.slash(id, a, b);
    }

    function test_RevertWhen_EvidenceSignedByAnotherKey() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        b.signature = _sign(walletKeys[1], settlement.hashBlock(id, b)); // the wallet, not the session key
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementWrongSigner.selector, 1, sessions[1], wallets[1])
        );
        settlement.slash(id, a, b);
        b.signature = _sign(sessionKeys[2], settlement.hashBlock(id, b)); // another participant's key
        vm.expectRevert(
            abi.encodeWithSelector(
                IChannelSettlement.ChannelSettlementWrongSigner.selector, 1, sessions[1], sessions[2]
            )
        );
        settlement.slash(id, a, b);
    }

    function test_RevertWhen_SlashUnknownChannel() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        bytes32 unknown = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementUnknownChannel.selector, unknown));
        settlement.slash(unknown, a, b);
    }

    function test_Slash_WithoutBondStillMarksOnce() public {
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(2, 3);
        vm.expectEmit(true, true, true, true);
        emit IChannelSettlement.Slashed(
            id,
            wallets[2],
            address(this),
            IChannelSettlement.Offence.DoubleSpending,
            0,
            settlement.hashBlock(id, a),
            settlement.hashBlock(id, b)
        );
        settlement.slash(id, a, b);
        vm.assertTrue(settlement.getParticipant(id, wallets[2]).slashed, "marked");
        vm.assertEq(settlement.owed(address(this), address(0)), 0, "nothing to share");
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementAlreadySlashed.selector, id, wallets[2])
        );
        settlement.slash(id, a, b);
    }

    function test_Slash_AfterFinalizationWithinTheEvidenceWindow() public {
        _finalize(id, _cp(1, bytes32(0)), 3);
        (IChannelSettlement.BlockHeader memory a, IChannelSettlement.BlockHeader memory b) = _pair(1, 7);
        vm.prank(reporter);
        settlement.slash(id, a, b);
        // shared by the final checkpoint's co-signers other than the author (participants 0 and 2), not by 3
        vm.assertEq(settlement.owed(wallets[2], address(0)), 0.5 ether, "slashed after finalization");
        vm.assertEq(settlement.owed(wallets[3], address(0)), 0, "did not sign the final checkpoint");
        vm.warp(settlement.getChannel(id).deadline + WINDOW);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementNoBond.selector, id, wallets[1]));
        vm.prank(wallets[1]);
        settlement.releaseBond(id);
    }

    function test_Slash_TwoParticipantChannel() public {
        bytes32 small = _open(2, 2);
        _bond(small, 0, 3);
        IChannelSettlement.BlockHeader memory a = _header(small, 0, 1, keccak256("a"));
        IChannelSettlement.BlockHeader memory b = _header(small, 0, 1, keccak256("b"));
        vm.prank(reporter);
        settlement.slash(small, a, b);
        vm.assertEq(settlement.owed(reporter, address(0)), 0, "reporter");
        vm.assertEq(settlement.owed(wallets[1], address(0)), 3, "the other participant takes it all");
    }
}
