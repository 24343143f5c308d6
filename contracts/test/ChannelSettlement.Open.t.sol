// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ChannelFixture} from "./utils/ChannelFixture.sol";
import {ChannelSettlement} from "../src/ChannelSettlement.sol";
import {IChannelSettlement} from "../src/interfaces/IChannelSettlement.sol";

contract ChannelSettlementOpenTest is ChannelFixture {
    function test_Open_StoresChannelAndKeys() public {
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        bytes32 expectedId = keccak256(
            abi.encode(
                block.chainid,
                address(settlement),
                p.participants,
                p.roles,
                p.threshold,
                p.disputeWindow,
                p.minStake,
                p.maxLeverage,
                p.tokens,
                p.nonce
            )
        );
        bytes[] memory sigs = _authSigs(p);

        vm.expectEmit(true, true, false, true);
        emit IChannelSettlement.ChannelOpened(expectedId, wallets[1], p);
        vm.prank(wallets[1]);
        bytes32 id = settlement.open(p, sigs);

        vm.assertEq(id, expectedId, "channel id");
        IChannelSettlement.ChannelInfo memory info = settlement.getChannel(id);
        vm.assertEq(uint256(info.status), uint256(IChannelSettlement.Status.Open), "status");
        vm.assertEq(info.threshold, 2, "threshold");
        vm.assertEq(info.disputeWindow, WINDOW, "window");
        vm.assertEq(info.minStake, 0.1 ether, "min stake");
        vm.assertEq(info.maxLeverage, 10, "max leverage");
        vm.assertEq(info.participants.length, 3, "participants");
        vm.assertEq(info.tokens.length, 2, "tokens");
        for (uint256 i = 0; i < 3; ++i) {
            IChannelSettlement.ParticipantInfo memory m = settlement.getParticipant(id, wallets[i]);
            vm.assertEq(m.sessionKey, sessions[i], "session key");
            vm.assertEq(m.index, i, "index");
            vm.assertEq(m.role, i % 4, "role");
            vm.assertEq(settlement.sessionKeyRange(id, sessions[i]).participant, wallets[i], "key owner");
        }
        address[] memory accepted = settlement.getChannel(id).tokens;
        vm.assertEq(accepted.length, 2, "tokens");
        vm.assertEq(accepted[0], address(token), "token accepted");
        vm.assertEq(accepted[1], address(0), "eth accepted");
    }

    function test_Open_DomainMatchesTypedDataSpec() public view {
        bytes32 expected = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("ChannelExchange"),
                keccak256("1"),
                block.chainid,
                address(settlement)
            )
        );
        vm.assertEq(settlement.domainSeparator(), expected, "domain separator");
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("SessionKey(bytes32 channelId,address participant,address sessionKey)"),
                bytes32(uint256(1)),
                address(2),
                address(3)
            )
        );
        vm.assertEq(
            settlement.hashSessionKey(bytes32(uint256(1)), address(2), address(3)),
            keccak256(abi.encodePacked(hex"1901", expected, structHash)),
            "session key digest"
        );
    }

    function test_Open_AnyParticipantMaySubmitAndNonceSeparatesChannels() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes[] memory sigs = _authSigs(p);
        vm.prank(wallets[1]);
        bytes32 a = settlement.open(p, sigs);
        p.nonce = 2;
        bytes32 b = _open(p);
        vm.assertTrue(a != b, "distinct ids");
    }

    function test_Open_MaxParticipants() public {
        bytes32 id = _open(200, 101);
        vm.assertEq(settlement.getParticipant(id, wallets[199]).index, 199, "last index");
        // the signer bitmap uses bit 199 for the last participant
        uint256[] memory signers = new uint256[](101);
        for (uint256 i = 0; i < 101; ++i) {
            signers[i] = 199 - i;
        }
        IChannelSettlement.Checkpoint memory cp = _cp(1, bytes32(0));
        settlement.propose(id, cp, _signCp(id, cp, signers));
        vm.assertEq(settlement.getChannel(id).checkpoint.version, 1, "proposed");
    }

    function test_RevertWhen_ChannelExists() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes32 id = _open(p);
        bytes[] memory sigs = _authSigs(p);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementChannelExists.selector, id));
        settlement.open(p, sigs);
    }

    function test_RevertWhen_ParticipantCountOutOfRange() public {
        IChannelSettlement.OpenParams memory p = _params(1, 1);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidParticipantCount.selector, 1));
        settlement.open(p, new bytes[](1));

        p = _params(201, 150);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidParticipantCount.selector, 201)
        );
        settlement.open(p, new bytes[](201));
    }

    function test_RevertWhen_LengthMismatch() public {
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        bytes[] memory sigs = _authSigs(p);
        vm.expectRevert(IChannelSettlement.ChannelSettlementLengthMismatch.selector);
        settlement.open(p, new bytes[](2));

        p.roles = new uint8[](2);
        vm.expectRevert(IChannelSettlement.ChannelSettlementLengthMismatch.selector);
        settlement.open(p, sigs);

        p = _params(3, 2);
        p.sessionKeys = new address[](4);
        vm.expectRevert(IChannelSettlement.ChannelSettlementLengthMismatch.selector);
        settlement.open(p, sigs);
    }

    function test_RevertWhen_ThresholdNotAboveHalf() public {
        uint16[4] memory bad = [uint16(0), 2, 5, type(uint16).max];
        for (uint256 i = 0; i < bad.length; ++i) {
            IChannelSettlement.OpenParams memory p = _params(4, bad[i]);
            vm.expectRevert(
                abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidThreshold.selector, bad[i], 4)
            );
            settlement.open(p, new bytes[](4));
        }
        _open(4, 3); // 3 > 4/2 is the smallest valid threshold
        IChannelSettlement.OpenParams memory q = _params(5, 3);
        _open(q); // 3 > 5/2
    }

    function test_RevertWhen_DisputeWindowInvalid() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.disputeWindow = 0;
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidDisputeWindow.selector, 0));
        settlement.open(p, new bytes[](2));
        p.disputeWindow = 365 days + 1;
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidDisputeWindow.selector, 365 days + 1)
        );
        settlement.open(p, new bytes[](2));
    }

    function test_RevertWhen_TokensInvalid() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.tokens = new address[](0);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidTokenCount.selector, 0));
        settlement.open(p, new bytes[](2));

        p.tokens = new address[](3);
        p.tokens[0] = address(token);
        p.tokens[1] = address(0);
        p.tokens[2] = address(token);
        bytes[] memory sigs = _authSigs(p);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementDuplicateToken.selector, address(token))
        );
        settlement.open(p, sigs);
    }

    function test_RevertWhen_ParticipantZeroOrDuplicate() public {
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.participants[1] = address(0);
        bytes[] memory sigs = _authSigs(p);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidParticipant.selector, address(0))
        );
        settlement.open(p, sigs);

        p = _params(3, 2);
        p.participants[2] = p.participants[0];
        sigs = _authSigs(p);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidParticipant.selector, wallets[0])
        );
        settlement.open(p, sigs);
    }

    function test_RevertWhen_SessionKeyZeroOrDuplicate() public {
        IChannelSettlement.OpenParams memory p = _params(3, 2);
        p.sessionKeys[1] = address(0);
        bytes[] memory sigs = _authSigs(p);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSessionKey.selector, address(0))
        );
        settlement.open(p, sigs);

        p = _params(3, 2);
        p.sessionKeys[2] = p.sessionKeys[0];
        sigs = _authSigs(p);
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSessionKey.selector, sessions[0])
        );
        settlement.open(p, sigs);
    }

    function test_RevertWhen_RoleOutOfRange() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        p.roles[1] = 4;
        bytes[] memory sigs = _authSigs(p);
        vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidRole.selector, 4));
        settlement.open(p, sigs);
    }

    function test_RevertWhen_KeyAuthorisedBySessionKeyNotWallet() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes[] memory sigs = _authSigs(p);
        bytes32 id = settlement.computeChannelId(p);
        sigs[1] = _sign(sessionKeys[1], settlement.hashSessionKey(id, wallets[1], sessions[1]));
        vm.expectRevert(
            abi.encodeWithSelector(IChannelSettlement.ChannelSettlementWrongSigner.selector, 1, wallets[1], sessions[1])
        );
        settlement.open(p, sigs);
    }

    function test_RevertWhen_KeyAuthorisationForAnotherKey() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes[] memory sigs = _authSigs(p);
        p.sessionKeys[0] = address(0x5e55); // wallet 0 authorised sessions[0], not this key
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementWrongSigner.selector);
        settlement.open(p, sigs);
    }

    function test_RevertWhen_KeyAuthorisationReplayedOnAnotherChain() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes[] memory sigs = _authSigs(p);
        vm.chainId(1);
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementWrongSigner.selector);
        settlement.open(p, sigs);
    }

    function test_RevertWhen_KeyAuthorisationReplayedOnAnotherContract() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes[] memory sigs = _authSigs(p);
        ChannelSettlement other = new ChannelSettlement();
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementWrongSigner.selector);
        other.open(p, sigs);
    }

    function test_RevertWhen_KeyAuthorisationForAnotherChannel() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes[] memory sigs = _authSigs(p);
        p.nonce = 2;
        vm.expectPartialRevert(IChannelSettlement.ChannelSettlementWrongSigner.selector);
        settlement.open(p, sigs);
    }

    function test_RevertWhen_KeyAuthorisationMalformed() public {
        IChannelSettlement.OpenParams memory p = _params(2, 2);
        bytes[] memory good = _authSigs(p);
        bytes[5] memory bad = [
            _highS(good[1]),
            _compact(good[1]),
            _withV(good[1], 29),
            abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(27)),
            bytes("")
        ];
        for (uint256 i = 0; i < bad.length; ++i) {
            bytes[] memory sigs = _authSigs(p);
            sigs[1] = bad[i];
            vm.expectRevert(abi.encodeWithSelector(IChannelSettlement.ChannelSettlementInvalidSignature.selector, 1));
            settlement.open(p, sigs);
        }
    }
}
